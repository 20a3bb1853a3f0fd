/**
 * The account as signing-report and prune-profiles see it, read in as few requests as Apple's paging
 * allows: certificates, profiles (each with its bundle ID and certificates included, without the
 * profile files) and devices, in parallel, 200 to a page. An account of up to 200 of each is three
 * requests.
 */
import { listCertificates } from '../apple/certificates.js';
import { listDevices } from '../apple/devices.js';
import { listProfiles, type ProfileWithRelations } from '../apple/profiles.js';
import type { Certificate, Device } from '../apple/types.js';
import type { AppleHttpClient } from '../core/http.js';

export interface AccountSnapshot {
  certificates: Certificate[];
  profiles: ProfileWithRelations[];
  devices: Device[];
}

/** Profiles only (prune-profiles needs nothing else): one paged listing. */
export function readProfiles(http: AppleHttpClient): Promise<ProfileWithRelations[]> {
  return listProfiles(http, { withDevices: false, withoutContent: true });
}

export async function readAccount(http: AppleHttpClient): Promise<AccountSnapshot> {
  const [certificates, profiles, devices] = await Promise.all([listCertificates(http), readProfiles(http), listDevices(http)]);
  return { certificates, profiles, devices };
}

/** Whether a profile is within the bundle IDs asked for (matched exactly; none asked = all). */
export function forBundleIds(p: ProfileWithRelations, identifiers: readonly string[]): boolean {
  return identifiers.length === 0 || identifiers.includes(p.bundleId?.attributes?.identifier ?? '');
}

/** A profile as the lifecycle reports and outputs show it (no file, no relations beyond its bundle ID). */
export interface ProfileRow {
  id: string;
  name: string;
  uuid: string;
  profileType: string;
  profileState: string;
  bundleId: string;
  expirationDate: string;
}

export function profileRow(p: ProfileWithRelations): ProfileRow {
  const a = p.profile.attributes;
  return {
    id: p.profile.id,
    name: a?.name ?? '',
    uuid: a?.uuid ?? '',
    profileType: a?.profileType ?? '',
    profileState: a?.profileState ?? '',
    bundleId: p.bundleId?.attributes?.identifier ?? '',
    expirationDate: a?.expirationDate ?? '',
  };
}
