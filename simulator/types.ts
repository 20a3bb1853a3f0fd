// Public types of the Apple API simulator. Others code against these: add, never change.

export type ApiKind = 'app-store-connect' | 'enterprise';

export interface SimulatorOptions {
  /** Interface to listen on. Default '127.0.0.1'. */
  host?: string;
  /** Port; 0 (default) picks a free one. */
  port?: number;
  /** HTTPS with a server certificate for 127.0.0.1 / localhost / ::1 signed by the simulator CA. Default false. */
  tls?: boolean;
  /** Devices per platform family (IOS, MAC_OS) on the account in a membership year. Default 100; null lifts it. */
  deviceYearlyLimit?: number | null;
  /** Devices registered this membership year (per platform family) that are ENABLED at once. Default 10; later ones are PROCESSING. */
  immediateDevices?: number;
  /** Requests per key per rolling hour. Default 3600. */
  rateLimitPerHour?: number;
  /** Default 'SIMTEAM123'. */
  teamId?: string;
  /** Default 'Simulated Team'. */
  teamName?: string;
  /** The simulator's clock. Default real time. */
  now?: () => Date;
  /**
   * Addition: current (unexpired) certificates allowed per certificateType before POST /v1/certificates answers 409,
   * for types `certificateLimits` does not name. Default 3.
   */
  certificateLimitPerType?: number;
  /** Addition: the limit for particular certificate types, e.g. { DEVELOPER_ID_APPLICATION: 5 }. Defaults: DEFAULT_CERTIFICATE_LIMITS. */
  certificateLimits?: Readonly<Record<string, number>>;
  /**
   * Addition: let POST /v1/certificates create Developer ID certificates (DEVELOPER_ID_APPLICATION[_G2],
   * DEVELOPER_ID_KEXT[_G2]). Default false: refused with 409 ENTITY_ERROR.ATTRIBUTE.INVALID, as Apple reportedly does.
   */
  allowDeveloperIdCertificateCreation?: boolean;
  /**
   * Addition: certificateType values that GET /v1/certificates refuses in `filter[certificateType]` with 400
   * PARAMETER_ERROR.INVALID although the spec lists them (e.g. ['DEVELOPER_ID_APPLICATION_G2']), to reproduce an
   * Apple server that lags its spec. Default none.
   */
  rejectedCertificateTypeFilters?: readonly string[];
  /** Addition: cap on relationship linkage data returned with `include=` when no `limit[<rel>]` is given. Default 50, the spec's maximum. */
  defaultIncludeLimit?: number;
  /**
   * Addition: with `tls`, the server certificate also names Apple's hosts (api.appstoreconnect.apple.com,
   * api.enterprise.developer.apple.com, api-business.apple.com, account.apple.com), so a client that cannot
   * change its base URL can be pointed at the simulator with a hosts entry (and the CA trusted). Default false.
   */
  appleHostnames?: boolean;
}

export interface ApiKeyCredentials {
  api: ApiKind;
  keyId: string;
  issuerId?: string;
  privateKeyPem: string;
  kind: 'team' | 'individual';
}

export interface RequestRecord {
  api: ApiKind | 'unknown';
  method: string;
  /** Path without query, e.g. /v1/devices. */
  path: string;
  /** Decoded query parameters (raw string values). */
  query: Record<string, string>;
  /** Lower-case header names; the authorization credential is replaced: 'Bearer [redacted]' ('[redacted]' when it has no scheme). */
  headers: Record<string, string>;
  /** Parsed JSON request body (the raw text when it was not JSON). */
  body?: unknown;
  /** Status sent back; 0 when the connection was dropped without a response. */
  status: number;
  /** What was sent back (undefined for 204 / dropped). */
  responseBody?: unknown;
  /** Name of the injected fault, if any. */
  fault?: string;
  /** Addition: why the token was refused (401), e.g. 'wrong audience'. */
  authError?: string;
  /** Addition: the API key id the request was made with, when it names a registered key. */
  keyId?: string;
}

export interface FaultSpec {
  /** Match on method (case-insensitive); omitted = any. */
  method?: string;
  /** Match on path without query (exact string or RegExp); omitted = any. */
  path?: string | RegExp;
  /** How many matching requests it applies to. Default 1. */
  times?: number;
  /** Respond with this status and Apple's error body for it. */
  status?: number;
  /** Seconds; sets Retry-After. */
  retryAfter?: number;
  /** Delay before handling. */
  delayMs?: number;
  /** Destroy the socket without any response. */
  drop?: boolean;
  /** Perform the request for real first (state changes), then answer with `status` or drop. */
  afterCommit?: boolean;
  /** Addition: name recorded in RequestRecord.fault (default describes the fault). */
  name?: string;
  /** Addition: response body to send instead of Apple's error body for `status`. */
  body?: unknown;
  /**
   * Addition: when the request arrives, expire every token seen so far and this request's own token (it gets
   * Apple's 401), as if the token expired mid-run. New tokens work.
   */
  expireTokens?: boolean;
}

export type Platform = 'IOS' | 'MAC_OS' | 'UNIVERSAL';
/** Addition: a bundle ID's platform: the spec's plus the undocumented SERVICES real ones can carry (docs/apple-facts.md §1.8; seeding only). */
export type BundleIdPlatform = Platform | 'SERVICES';
/** Apple's documented ENABLED | DISABLED plus the undocumented PROCESSING (docs/apple-facts.md §1.5). */
export type DeviceStatus = 'ENABLED' | 'DISABLED' | 'PROCESSING';
/** Apple's documented ACTIVE | INVALID plus the undocumented EXPIRED (docs/apple-facts.md §1.6). */
export type ProfileState = 'ACTIVE' | 'INVALID' | 'EXPIRED';

export interface DeviceRecord {
  api: ApiKind;
  id: string;
  udid: string;
  name: string;
  platform: Platform;
  deviceClass: string | null;
  model: string | null;
  status: DeviceStatus;
  addedDate: Date;
}

export interface BundleIdRecord {
  api: ApiKind;
  id: string;
  identifier: string;
  name: string;
  platform: BundleIdPlatform;
  seedId: string;
}

export interface CertificateRecord {
  api: ApiKind;
  id: string;
  name: string;
  certificateType: string;
  displayName: string;
  /** Upper-case hex. */
  serialNumber: string;
  platform: Platform | null;
  expirationDate: Date;
  /** Base64 of the DER X.509 certificate. */
  certificateContent: string;
  activated: boolean;
}

export interface ProfileRecord {
  api: ApiKind;
  id: string;
  name: string;
  profileType: string;
  profileState: ProfileState;
  platform: Platform;
  uuid: string;
  createdDate: Date;
  expirationDate: Date;
  /** Resource id of the bundle ID. */
  bundleIdId: string;
  certificateIds: string[];
  deviceIds: string[];
  /** Base64 of the DER CMS SignedData wrapping the XML plist. */
  profileContent: string;
}

export interface AccountView {
  devices: DeviceRecord[];
  bundleIds: BundleIdRecord[];
  certificates: CertificateRecord[];
  profiles: ProfileRecord[];
  /** Addition: the capabilities of every bundle ID. */
  capabilities: CapabilityRecord[];
}

export interface SeedApi {
  device(d: {
    udid: string;
    name?: string;
    platform?: 'IOS' | 'MAC_OS';
    status?: DeviceStatus;
    deviceClass?: string;
    model?: string | null;
    api?: ApiKind;
  }): DeviceRecord;
  bundleId(b: { identifier: string; name?: string; platform?: BundleIdPlatform; api?: ApiKind }): BundleIdRecord;
  certificate(c: { certificateType: string; expiresAt?: Date; privateKeyPem?: string; api?: ApiKind }): CertificateRecord & { privateKeyPem: string };
  profile(p: {
    name: string;
    profileType: string;
    bundleId: string;
    certificateIds: string[];
    deviceIds?: string[];
    expiresAt?: Date;
    state?: ProfileState;
    api?: ApiKind;
  }): ProfileRecord;
  /** Addition: enables a capability on a bundle ID (no platform or setting checks), as if done on the portal. */
  capability(c: { bundleId: string; capabilityType: string; settings?: CapabilitySettingRecord[]; api?: ApiKind }): CapabilityRecord;
}

export interface Simulator {
  /** Origin, no trailing slash. */
  url: string;
  /** The simulator CA certificate (PEM). */
  caCertPem: string;
  addKey(opts?: { api?: ApiKind; kind?: 'team' | 'individual'; privateKeyPem?: string }): ApiKeyCredentials;
  seed: SeedApi;
  state(api?: ApiKind): AccountView;
  finishProcessing(): void;
  revokeCertificate(id: string, api?: ApiKind): void;
  expireTokens(): void;
  /** Addition: every distinct bearer token presented so far (accepted or not), in order; for leak checks. */
  tokensSeen(): string[];
  /** Addition: the HTTPS server certificate and its key (PEM) when `tls` is on, e.g. for a Business simulator on the same CA. */
  tlsCredentials?: { certPem: string; keyPem: string };
  faults: { add(f: FaultSpec): void; clear(): void };
  requests: RequestRecord[];
  clearRequests(): void;
  close(): Promise<void>;
}

/** Addition: one setting of a capability as Apple echoes it, e.g. { key: 'ICLOUD_VERSION', options: [{ key: 'XCODE_6' }] }. */
export interface CapabilitySettingRecord {
  key: string;
  options: { key: string }[];
}

/** Addition: a capability enabled on a bundle ID (`bundleIdCapabilities`). */
export interface CapabilityRecord {
  api: ApiKind;
  /** `<bundle ID id>_<capabilityType>`, the form clients observe (facts.md 1.10; opaque to clients). */
  id: string;
  bundleIdId: string;
  capabilityType: string;
  settings: CapabilitySettingRecord[];
}
