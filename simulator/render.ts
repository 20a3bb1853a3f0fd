// Records to JSON:API resource objects, in the shapes of the spec's schemas (src/generated/asc.d.ts),
// widened where Apple sends undocumented values (device PROCESSING, profile EXPIRED).
import type { components } from '../src/generated/asc.js';
import type { Account } from './store.js';
import type { BundleIdPlatform, BundleIdRecord, CertificateRecord, DeviceRecord, DeviceStatus, Platform, ProfileRecord, ProfileState } from './types.js';
import { appleDate } from './ids.js';
import { relationshipLinks, selfLink, type Linkage } from './jsonapi.js';

type Schemas = components['schemas'];
type Attrs<S extends { attributes?: unknown }> = NonNullable<S['attributes']>;

export type DeviceResource = Omit<Schemas['Device'], 'attributes'> & {
  attributes: Omit<Attrs<Schemas['Device']>, 'status' | 'deviceClass' | 'model'> & {
    status: DeviceStatus;
    deviceClass?: string;
    model: string | null;
  };
};

export type BundleIdResource = Omit<Schemas['BundleId'], 'attributes'> & {
  attributes: Omit<Attrs<Schemas['BundleId']>, 'platform'> & { platform: BundleIdPlatform };
};

export type CertificateResource = Omit<Schemas['Certificate'], 'attributes'> & {
  attributes: Omit<Attrs<Schemas['Certificate']>, 'certificateType' | 'platform'> & {
    certificateType: string;
    platform?: Platform;
  };
};

export type ProfileResource = Omit<Schemas['Profile'], 'attributes'> & {
  attributes: Omit<Attrs<Schemas['Profile']>, 'profileState' | 'profileType'> & {
    profileState: ProfileState;
    profileType: string;
  };
};

export function deviceResource(d: DeviceRecord, origin: string): DeviceResource {
  return {
    type: 'devices',
    id: d.id,
    attributes: {
      addedDate: appleDate(d.addedDate),
      name: d.name,
      // deviceClass is left out when unknown; model is sent as null, as Apple does (docs/apple-facts.md §5).
      ...(d.deviceClass !== null ? { deviceClass: d.deviceClass } : {}),
      model: d.model,
      udid: d.udid,
      platform: d.platform,
      status: d.status,
    },
    links: selfLink(origin, 'devices', d.id),
  };
}

/** Linkage for a to-many relationship, capped at `limit`, with Apple's paging meta. */
export interface ToManyLinkage {
  data: Linkage[];
  meta: { paging: { total: number; limit: number } };
}

export function toMany(type: string, ids: readonly string[], limit: number): ToManyLinkage {
  return {
    data: ids.slice(0, limit).map((id) => ({ type, id })),
    meta: { paging: { total: ids.length, limit } },
  };
}

export interface BundleIdLinkage {
  profiles?: ToManyLinkage;
  bundleIdCapabilities?: ToManyLinkage;
}

export function bundleIdResource(b: BundleIdRecord, origin: string, linkage: BundleIdLinkage = {}): BundleIdResource {
  const rel = (name: string) => ({ links: relationshipLinks(origin, 'bundleIds', b.id, name) });
  const caps = linkage.bundleIdCapabilities;
  return {
    type: 'bundleIds',
    id: b.id,
    attributes: { name: b.name, identifier: b.identifier, platform: b.platform, seedId: b.seedId },
    relationships: {
      bundleIdCapabilities: caps
        ? { ...rel('bundleIdCapabilities'), data: caps.data.map((l) => ({ type: 'bundleIdCapabilities' as const, id: l.id })), meta: caps.meta }
        : rel('bundleIdCapabilities'),
      profiles: linkage.profiles ? { ...rel('profiles'), data: linkage.profiles.data.map(asProfileLink), meta: linkage.profiles.meta } : rel('profiles'),
      // Enterprise 1.0 bundle IDs have no app relationship.
      ...(b.api === 'enterprise' ? {} : { app: rel('app') }),
    },
    links: selfLink(origin, 'bundleIds', b.id),
  };
}

function asProfileLink(l: Linkage): { type: 'profiles'; id: string } {
  return { type: 'profiles', id: l.id };
}

export function certificateResource(c: CertificateRecord, origin: string): CertificateResource {
  return {
    type: 'certificates',
    id: c.id,
    attributes: {
      serialNumber: c.serialNumber,
      certificateContent: c.certificateContent,
      displayName: c.displayName,
      name: c.name,
      ...(c.platform !== null ? { platform: c.platform } : {}),
      expirationDate: appleDate(c.expirationDate),
      certificateType: c.certificateType,
      // `activated` is new in App Store Connect API 4.x; Enterprise 1.0 has no such attribute.
      ...(c.api === 'enterprise' ? {} : { activated: c.activated }),
    },
    relationships: { passTypeId: { links: relationshipLinks(origin, 'certificates', c.id, 'passTypeId') } },
    links: selfLink(origin, 'certificates', c.id),
  };
}

/** A profile's devices and certificates that still exist on the account. */
export function profileMembers(p: ProfileRecord, account: Account): { deviceIds: string[]; certificateIds: string[] } {
  return {
    deviceIds: p.deviceIds.filter((id) => account.devices.has(id)),
    certificateIds: p.certificateIds.filter((id) => account.certificates.has(id)),
  };
}

export interface ProfileLinkage {
  bundleId?: boolean;
  devices?: ToManyLinkage;
  certificates?: ToManyLinkage;
}

export function profileResource(p: ProfileRecord, origin: string, linkage: ProfileLinkage = {}): ProfileResource {
  const links = (name: string) => relationshipLinks(origin, 'profiles', p.id, name);
  return {
    type: 'profiles',
    id: p.id,
    attributes: {
      profileState: p.profileState,
      createdDate: appleDate(p.createdDate),
      profileType: p.profileType,
      name: p.name,
      profileContent: p.profileContent,
      uuid: p.uuid,
      platform: p.platform,
      expirationDate: appleDate(p.expirationDate),
    },
    relationships: {
      bundleId: linkage.bundleId ? { links: links('bundleId'), data: { type: 'bundleIds', id: p.bundleIdId } } : { links: links('bundleId') },
      devices: linkage.devices
        ? { links: links('devices'), data: linkage.devices.data.map((l) => ({ type: 'devices' as const, id: l.id })), meta: linkage.devices.meta }
        : { links: links('devices') },
      certificates: linkage.certificates
        ? {
            links: links('certificates'),
            data: linkage.certificates.data.map((l) => ({ type: 'certificates' as const, id: l.id })),
            meta: linkage.certificates.meta,
          }
        : { links: links('certificates') },
    },
    links: selfLink(origin, 'profiles', p.id),
  };
}
