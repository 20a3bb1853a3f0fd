/** /v1/profiles: list with their bundle ID, certificates and devices; create; delete (Apple has no PATCH). */
import type { AppleHttpClient, Query } from '../core/http.js';
import type { BundleId, Certificate, Device, Profile, ProfileType } from './types.js';

/** Apple's maximum for included to-many relationships (docs/apple-facts.md §1.4). */
const INCLUDE_LIMIT = 50;

/** A profile with its related resources resolved from `included`. */
export interface ProfileWithRelations {
  profile: Profile;
  bundleId: BundleId | undefined;
  certificates: Certificate[];
  devices: Device[];
}

export interface ProfileListFilter {
  names?: readonly string[];
  types?: readonly ProfileType[];
  /** Also include the devices (only needed for device-bound types). */
  withDevices: boolean;
  /** Leave out profileContent (the signed file, kilobytes each) when only the attributes are needed. */
  withoutContent?: boolean;
}

/** Every profile field but profileContent (Apple's `fields[profiles]`). */
const PROFILE_FIELDS_WITHOUT_CONTENT = [
  'name',
  'platform',
  'profileType',
  'profileState',
  'uuid',
  'createdDate',
  'expirationDate',
  'bundleId',
  'certificates',
  'devices',
];

type Included = BundleId | Certificate | Device;

/** How many of a relationship Apple says there are, against how many it linked. */
function linkageShort(rel: { data?: unknown[]; meta?: { paging?: { total?: number } } } | undefined): boolean {
  const total = rel?.meta?.paging?.total;
  return total !== undefined && total > (rel?.data?.length ?? 0);
}

/**
 * Profiles matching the filter, each with its bundle ID, certificates and (optionally) devices, in one
 * paged listing. A profile holding more devices than Apple includes (50) has its devices read in full.
 */
export async function listProfiles(http: AppleHttpClient, filter: ProfileListFilter): Promise<ProfileWithRelations[]> {
  const query: Query = {
    include: filter.withDevices ? ['bundleId', 'certificates', 'devices'] : ['bundleId', 'certificates'],
    'limit[certificates]': INCLUDE_LIMIT,
  };
  if (filter.withDevices) query['limit[devices]'] = INCLUDE_LIMIT;
  if (filter.names && filter.names.length > 0) query['filter[name]'] = filter.names;
  if (filter.types && filter.types.length > 0) query['filter[profileType]'] = filter.types;
  if (filter.withoutContent) query['fields[profiles]'] = PROFILE_FIELDS_WITHOUT_CONTENT;
  const { data, included } = await http.all<Profile, Included>('/v1/profiles', query);
  const byKey = new Map(included.map((r) => [`${r.type}/${r.id}`, r]));
  const pick = <T extends Included>(type: T['type'], refs: { id: string }[] | undefined): T[] =>
    (refs ?? []).map((r) => byKey.get(`${type}/${r.id}`)).filter((r): r is T => r !== undefined);
  const out: ProfileWithRelations[] = [];
  for (const profile of data) {
    const rel = profile.relationships;
    const bundleRef = rel?.bundleId?.data;
    const item: ProfileWithRelations = {
      profile,
      bundleId: bundleRef ? (byKey.get(`bundleIds/${bundleRef.id}`) as BundleId | undefined) : undefined,
      certificates: pick<Certificate>('certificates', rel?.certificates?.data),
      devices: filter.withDevices ? pick<Device>('devices', rel?.devices?.data) : [],
    };
    if (linkageShort(rel?.certificates)) item.certificates = await profileRelated<Certificate>(http, profile.id, 'certificates');
    if (filter.withDevices && linkageShort(rel?.devices)) item.devices = await profileRelated<Device>(http, profile.id, 'devices');
    out.push(item);
  }
  return out;
}

/** Every certificate or device a profile holds, over all pages. */
export async function profileRelated<T>(http: AppleHttpClient, profileId: string, rel: 'certificates' | 'devices'): Promise<T[]> {
  return (await http.all<T>(`/v1/profiles/${encodeURIComponent(profileId)}/${rel}`)).data;
}

export interface NewProfile {
  name: string;
  profileType: ProfileType;
  bundleIdId: string;
  certificateIds: readonly string[];
  /** Only for device-bound types. */
  deviceIds?: readonly string[];
}

export async function createProfile(http: AppleHttpClient, p: NewProfile): Promise<Profile> {
  const body = {
    data: {
      type: 'profiles',
      attributes: { name: p.name, profileType: p.profileType },
      relationships: {
        bundleId: { data: { type: 'bundleIds', id: p.bundleIdId } },
        certificates: { data: p.certificateIds.map((id) => ({ type: 'certificates', id })) },
        ...(p.deviceIds ? { devices: { data: p.deviceIds.map((id) => ({ type: 'devices', id })) } } : {}),
      },
    },
  };
  return (await http.post<{ data: Profile }>('/v1/profiles', body)).body.data;
}

export async function getProfile(http: AppleHttpClient, id: string): Promise<Profile> {
  return (await http.get<{ data: Profile }>(`/v1/profiles/${encodeURIComponent(id)}`)).body.data;
}

export async function deleteProfile(http: AppleHttpClient, id: string): Promise<void> {
  await http.delete(`/v1/profiles/${encodeURIComponent(id)}`);
}
