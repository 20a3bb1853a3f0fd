// Makes profile records: Apple's attributes (uuid, dates, platform) and the signed profile content.
import type { SimEnv } from './context.js';
import { YEAR_MS, uuid as newUuid } from './ids.js';
import { buildProfileContent } from './profile-content.js';
import type { ProfileTypeInfo } from './signing-types.js';
import type { ApiKind, BundleIdRecord, CapabilityRecord, CertificateRecord, DeviceRecord, ProfileRecord, ProfileState } from './types.js';

export interface NewProfile {
  api: ApiKind;
  name: string;
  profileType: string;
  typeInfo: ProfileTypeInfo;
  bundle: BundleIdRecord;
  certificates: CertificateRecord[];
  devices: DeviceRecord[];
  /** Default: one year from now, but never after the earliest certificate's expiry. */
  expiresAt?: Date;
  /** Default: now. */
  createdAt?: Date;
  state?: ProfileState;
  /** The bundle ID's capabilities now: the profile's Entitlements follow them. */
  capabilities: readonly CapabilityRecord[];
}

export function makeProfileRecord(env: SimEnv, p: NewProfile): ProfileRecord {
  const createdDate = p.createdAt ?? env.now();
  const earliestCert = Math.min(...p.certificates.map((c) => c.expirationDate.getTime()));
  const expirationDate = p.expiresAt ?? new Date(Math.min(createdDate.getTime() + YEAR_MS, earliestCert));
  const uuid = newUuid();
  const udids = p.typeInfo.devicePlatform === null ? [] : p.devices.map((d) => d.udid);
  const profileContent = buildProfileContent({
    ca: env.ca,
    teamId: env.teamId,
    teamName: env.teamName,
    name: p.name,
    uuid,
    appIdName: p.bundle.name,
    identifier: p.bundle.identifier,
    seedId: p.bundle.seedId,
    typeInfo: p.typeInfo,
    createdDate,
    expirationDate,
    certificates: p.certificates.map((c) => Buffer.from(c.certificateContent, 'base64')),
    udids,
    capabilities: p.capabilities,
  });
  return {
    api: p.api,
    id: env.ids.next(),
    name: p.name,
    profileType: p.profileType,
    profileState: p.state ?? 'ACTIVE',
    platform: p.typeInfo.platform,
    uuid,
    createdDate,
    expirationDate,
    bundleIdId: p.bundle.id,
    certificateIds: p.certificates.map((c) => c.id),
    deviceIds: p.typeInfo.devicePlatform === null ? [] : p.devices.map((d) => d.id),
    profileContent,
  };
}
