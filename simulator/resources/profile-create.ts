// POST /v1/profiles: Apple's checks on a new profile, then the profile itself (with its signed content).
import type { RequestContext } from '../context.js';
import { ApiError, attributeInvalid, entityError, relationshipInvalid, relationshipRequired } from '../errors.js';
import { capabilitiesOf } from '../capabilities.js';
import { makeProfileRecord } from '../profile-factory.js';
import { linkageIds, onlyAttributes, requestData, requiredEnum, requiredString } from '../request-body.js';
import { PROFILE_TYPES, profileTypeInfo, type ProfileTypeInfo } from '../signing-types.js';
import type { CertificateRecord, DeviceRecord, ProfileRecord } from '../types.js';

export function createProfile(ctx: RequestContext): ProfileRecord {
  const { attributes, relationships } = requestData(ctx.body, 'profiles');
  onlyAttributes(attributes, 'profiles', ['name', 'profileType']);
  const name = requiredString(attributes, 'name');
  const profileType = requiredEnum(attributes, 'profileType', PROFILE_TYPES);
  const bundleIds = linkageIds(relationships, 'bundleId', 'bundleIds', true);
  const certificateIds = unique(linkageIds(relationships, 'certificates', 'certificates', true));
  const deviceIds = unique(linkageIds(relationships, 'devices', 'devices', false));
  const info = profileTypeInfo(profileType);
  if (!info || (info.onlyOn && info.onlyOn !== ctx.api) || info.notOn === ctx.api) throw attributeInvalid('profileType', profileType);

  if ([...ctx.account.profiles.values()].some((p) => p.name === name)) {
    throw entityError(
      `There is a problem with the request entity: Multiple profiles found with the name '${name}'.  Please remove the duplicate profiles and try again.`,
      { pointer: '/data/attributes/name' },
    );
  }
  const bundleId = bundleIds[0] ?? '';
  const bundle = ctx.account.bundleIds.get(bundleId);
  if (bundleIds.length !== 1 || !bundle) {
    throw entityError(`There is no App ID with ID '${bundleId}' on this team.`, { pointer: '/data/relationships/bundleId' });
  }
  if (certificateIds.length === 0) throw relationshipRequired('certificates');
  const certificates = certificateIds.map((id) => certificateFor(ctx, id, profileType, info));
  const devices = devicesFor(ctx, deviceIds, profileType, info);
  return makeProfileRecord(ctx.env, {
    api: ctx.api,
    name,
    profileType,
    typeInfo: info,
    bundle,
    certificates,
    devices,
    capabilities: capabilitiesOf(ctx.account, bundle.id),
  });
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}

function certificateFor(ctx: RequestContext, id: string, profileType: string, info: ProfileTypeInfo): CertificateRecord {
  const c = ctx.account.certificates.get(id);
  if (!c) throw entityError(`There is no certificate with ID '${id}' on this team.`, { pointer: '/data/relationships/certificates' });
  if (!info.certificateTypes.includes(c.certificateType)) {
    throw relationshipInvalid('certificates', `The certificate '${id}' (${c.certificateType}) cannot be used for a ${profileType} profile.`);
  }
  if (c.expirationDate.getTime() <= ctx.env.now().getTime()) {
    throw relationshipInvalid('certificates', `The certificate '${id}' has expired.`);
  }
  return c;
}

function devicesFor(ctx: RequestContext, ids: string[], profileType: string, info: ProfileTypeInfo): DeviceRecord[] {
  if (info.devicePlatform === null) {
    // Apple's answer for App Store profiles (docs/apple-facts.md §1.6); the simulator gives it for in-house and Developer ID ones too.
    if (ids.length > 0) {
      throw new ApiError(
        409,
        'ENTITY_ERROR.RELATIONSHIP.NOT_ALLOWED',
        'The provided entity includes a relationship that is not allowed',
        'No devices can be associated to Provisioning Profiles for the App Store.',
        { pointer: '/data/relationships/devices' },
      );
    }
    return [];
  }
  if (ids.length === 0) {
    throw new ApiError(
      409,
      'ENTITY_ERROR.RELATIONSHIP.REQUIRED',
      'The provided entity is missing a required relationship',
      `A ${profileType} profile must include at least one device.`,
      { pointer: '/data/relationships/devices' },
    );
  }
  return ids.map((id) => {
    const d = ctx.account.devices.get(id);
    if (!d) throw entityError(`There is no device with ID '${id}' on this team.`, { pointer: '/data/relationships/devices' });
    if (d.status === 'PROCESSING') {
      throw relationshipInvalid('devices', `The device '${d.udid}' is still being processed and cannot be added to a profile yet.`);
    }
    if (d.status !== 'ENABLED') throw relationshipInvalid('devices', `The device '${d.udid}' is disabled.`);
    if (d.platform !== info.devicePlatform && d.platform !== 'UNIVERSAL') {
      throw relationshipInvalid('devices', `The device '${d.udid}' (${d.platform}) cannot be used for a ${profileType} profile.`);
    }
    return d;
  });
}
