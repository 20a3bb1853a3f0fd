// Public types of the Apple Business API simulator (docs/apple-facts.md §3). Add to them; never change them.
import type { FaultSpec } from '../types.js';

export type BusinessScope = 'business.api' | 'school.api';

export interface BusinessSimulatorOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The simulator's clock. Default real time. */
  now?: () => Date;
  /** GETs of an activity before it ends. Default 2. */
  pollsToComplete?: number;
  /** Requests per client per rolling minute before 429 with Retry-After; default unlimited. */
  rateLimitPerMinute?: number;
  /** Access token lifetime in seconds. Default 3600. */
  tokenLifetimeSeconds?: number;
  /** HTTPS with this server certificate and key (PEM), e.g. Simulator.tlsCredentials. Default plain HTTP. */
  tls?: { certPem: string; keyPem: string };
  /** Called on every GET of an activity, after it has been counted (e.g. to expire tokens between polls). */
  onActivityPoll?: (activityId: string, poll: number) => void;
}

export interface BusinessAccount {
  clientId: string;
  keyId: string;
  /** PKCS#8 PEM of the P-256 key Apple hands out when the API account is made. */
  privateKeyPem: string;
  scope: BusinessScope;
}

export interface OrgDeviceRecord {
  /** The id is the serial number. */
  serialNumber: string;
  productFamily: string;
  productType: string;
  deviceModel: string;
  color: string;
  deviceCapacity: string;
  addedToOrgDateTime: Date;
  updatedDateTime: Date;
  /** id of the device management service it is assigned to, or null. */
  assignedServerId: string | null;
  /** Addition: the fields Apple's Get Organization Devices example lists (docs/apple-facts.md §3.2). */
  partNumber: string;
  orderNumber: string;
  orderDateTime: Date;
  imei: string[];
  meid: string[];
  eid: string | null;
  purchaseSourceId: string;
  /** APPLE, RESELLER or MANUALLY_ADDED. */
  purchaseSourceType: string;
  wifiMacAddress: string | null;
  bluetoothMacAddress: string | null;
  ethernetMacAddress: string | null;
  /** Set by a RELEASE_DEVICES activity; the device stays listed. */
  releasedFromOrgDateTime: Date | null;
  /** Addition (API 2.3): device management migration. */
  isMdmMigrationCapable: boolean;
  /** REQUESTED, STARTED, SUCCESS or FAILED; null when no migration was asked for. */
  mdmMigrationStatus: string | null;
  mdmMigrationDeadlineDateTime: Date | null;
}

export interface MdmServerRecord {
  id: string;
  serverName: string;
  serverType: string;
  createdDateTime: Date;
  updatedDateTime: Date;
}

type ActivityStatus = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED' | 'STOPPED';

export interface ActivityRecord {
  id: string;
  activityType: string;
  /** null for the activities that name no service (UPDATE_MDM_MIGRATION_DEADLINE, CANCEL_MDM_MIGRATION, RELEASE_DEVICES). */
  mdmServerId: string | null;
  /** Addition: activityTypeMetadata.mdmMigrationDeadlineDateTime, for the deadline activities. */
  mdmMigrationDeadlineDateTime: Date | null;
  serials: string[];
  status: ActivityStatus;
  subStatus: string;
  createdDateTime: Date;
  completedDateTime: Date | null;
  polls: number;
  /** How it will end: success, some serials left unchanged (COMPLETED_WITH_ERROR), FAILED or STOPPED. */
  outcome: ActivityOutcome;
}

export interface ActivityOutcome {
  status: 'COMPLETED' | 'FAILED' | 'STOPPED';
  /** Serials the activity does not change (default: none for COMPLETED, all for FAILED/STOPPED). */
  failSerials?: string[];
}

/** The App Store Connect simulator's faults, less what the Business simulator does not act on. */
export type BusinessFaultSpec = Omit<FaultSpec, 'afterCommit' | 'expireTokens' | 'body'>;

export interface BusinessRequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  /** JSON body, or the token form with client_assertion replaced by '[redacted]'. */
  body?: unknown;
  status: number;
  /** access_token replaced by '[redacted]'. */
  responseBody?: unknown;
  fault?: string;
  /** Why a token request or bearer token was refused. */
  authError?: string;
  clientId?: string;
}

export interface BusinessState {
  devices: OrgDeviceRecord[];
  mdmServers: MdmServerRecord[];
  activities: ActivityRecord[];
}
