// /v1/bundleIdCapabilities (facts.md 1.10): the capabilities under a bundle ID, enable (POST), change settings
// (PATCH), disable (DELETE). Apple-shaped refusals for a type the bundle ID's platform does not offer, a
// setting or option out of range, and a capability already on. A change marks the bundle ID's profiles INVALID.
import { param, type Reply, type RequestContext, type Route } from '../context.js';
import { CAPABILITY_SETTINGS, CAPABILITY_TYPES, type CapabilityType } from '../../src/apple/capability-types.js';
import { capabilitiesOf, capabilityId, platformSupports, putCapability } from '../capabilities.js';
import { ApiError, attributeInvalid, entityError, notFound } from '../errors.js';
import { selfLink, singleDocument, type ResourceObject } from '../jsonapi.js';
import { linkageIds, onlyAttributes, requestData, requiredEnum } from '../request-body.js';
import type { Account } from '../store.js';
import type { BundleIdRecord, CapabilityRecord, CapabilitySettingRecord } from '../types.js';
import { listReply } from './listing.js';

export function capabilityResource(c: CapabilityRecord, origin: string): ResourceObject {
  return {
    type: 'bundleIdCapabilities',
    id: c.id,
    attributes: {
      capabilityType: c.capabilityType,
      settings: c.settings.map((s) => ({ key: s.key, options: s.options.map((o) => ({ key: o.key, enabled: true })) })),
    },
    links: selfLink(origin, 'bundleIdCapabilities', c.id),
  };
}

/** The ids of a bundle ID's capabilities, for `include=bundleIdCapabilities` linkage. */
export function capabilityIdsOf(account: Account, bundleIdId: string): string[] {
  return capabilitiesOf(account, bundleIdId).map((c) => c.id);
}

function settingInvalid(detail: string): ApiError {
  return new ApiError(409, 'ENTITY_ERROR.ATTRIBUTE.INVALID', 'An attribute in the provided entity has invalid value', detail, {
    pointer: '/data/attributes/settings',
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The settings of a request, checked against what the capability takes: one setting, one known option. */
function readSettings(raw: unknown, capabilityType: string): CapabilitySettingRecord[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw settingInvalid(`The settings of capability '${capabilityType}' must be an array.`);
  const allowed = CAPABILITY_SETTINGS[capabilityType as CapabilityType];
  return raw.map((s: unknown) => {
    const key = isObject(s) ? s['key'] : undefined;
    if (!allowed || key !== allowed.key) {
      throw settingInvalid(`The setting '${String(key)}' is not valid for capability '${capabilityType}'.`);
    }
    const options = isObject(s) && Array.isArray(s['options']) ? s['options'] : [];
    const keys = options.map((o: unknown) => (isObject(o) ? o['key'] : undefined));
    if (keys.length !== 1 || !(allowed.options as readonly string[]).includes(String(keys[0]))) {
      throw settingInvalid(
        `The setting '${allowed.key}' of capability '${capabilityType}' takes one of ${allowed.options.join(', ')}; got '${keys.join(', ')}'.`,
      );
    }
    return { key: allowed.key, options: [{ key: String(keys[0]) }] };
  });
}

function getBundleId(ctx: RequestContext, id: string): BundleIdRecord {
  const b = ctx.account.bundleIds.get(id);
  if (!b) throw notFound('bundleIds', id);
  return b;
}

function getCapability(ctx: RequestContext): CapabilityRecord {
  const id = param(ctx, 'id');
  const c = ctx.account.capabilities.get(id);
  if (!c) throw notFound('bundleIdCapabilities', id);
  return c;
}

/** As on the portal: changing an App ID's capabilities invalidates its profiles. */
function invalidateProfilesOf(ctx: RequestContext, bundleIdId: string): void {
  ctx.account.invalidateProfiles((p) => p.bundleIdId === bundleIdId && p.profileState === 'ACTIVE');
}

function list(ctx: RequestContext): Reply {
  const b = getBundleId(ctx, param(ctx, 'id'));
  return listReply(ctx, capabilitiesOf(ctx.account, b.id), { type: 'bundleIdCapabilities', render: (c) => capabilityResource(c, ctx.origin) });
}

function create(ctx: RequestContext): Reply {
  const { attributes, relationships } = requestData(ctx.body, 'bundleIdCapabilities');
  onlyAttributes(attributes, 'bundleIdCapabilities', ['capabilityType', 'settings']);
  const capabilityType = requiredEnum(attributes, 'capabilityType', CAPABILITY_TYPES);
  const bundleIdId = linkageIds(relationships, 'bundleId', 'bundleIds', true)[0] ?? '';
  const b = ctx.account.bundleIds.get(bundleIdId);
  if (!b) throw entityError(`There is no App ID with ID '${bundleIdId}' on this team.`, { pointer: '/data/relationships/bundleId' });
  if (!platformSupports(b.platform, capabilityType)) {
    throw new ApiError(
      409,
      'ENTITY_ERROR.ATTRIBUTE.INVALID',
      'An attribute in the provided entity has invalid value',
      `The capability '${capabilityType}' is not available for the platform '${b.platform}' of App ID '${b.identifier}'.`,
      { pointer: '/data/attributes/capabilityType' },
    );
  }
  const settings = readSettings(attributes['settings'], capabilityType);
  if (ctx.account.capabilities.has(capabilityId(b.id, capabilityType))) {
    throw entityError(`The capability '${capabilityType}' is already enabled for App ID '${b.identifier}'.`, { pointer: '/data/attributes/capabilityType' });
  }
  const c = putCapability(ctx.account, b.id, capabilityType, settings);
  invalidateProfilesOf(ctx, b.id);
  return { status: 201, body: singleDocument(ctx, capabilityResource(c, ctx.origin)) };
}

function update(ctx: RequestContext): Reply {
  const c = getCapability(ctx);
  const { attributes } = requestData(ctx.body, 'bundleIdCapabilities', c.id);
  onlyAttributes(attributes, 'bundleIdCapabilities', ['capabilityType', 'settings']);
  const type = attributes['capabilityType'];
  if (type !== undefined && type !== null && type !== c.capabilityType) throw attributeInvalid('capabilityType', type);
  if (attributes['settings'] !== undefined && attributes['settings'] !== null) {
    const settings = readSettings(attributes['settings'], c.capabilityType);
    if (JSON.stringify(settings) !== JSON.stringify(c.settings)) {
      c.settings = settings;
      invalidateProfilesOf(ctx, c.bundleIdId);
    }
  }
  return { status: 200, body: singleDocument(ctx, capabilityResource(c, ctx.origin)) };
}

function remove(ctx: RequestContext): Reply {
  const c = getCapability(ctx);
  ctx.account.capabilities.delete(c.id);
  invalidateProfilesOf(ctx, c.bundleIdId);
  return { status: 204 };
}

export const capabilityRoutes: Route[] = [
  { method: 'GET', pattern: '/v1/bundleIds/{id}/bundleIdCapabilities', handle: list },
  { method: 'POST', pattern: '/v1/bundleIdCapabilities', handle: create },
  { method: 'PATCH', pattern: '/v1/bundleIdCapabilities/{id}', handle: update },
  { method: 'DELETE', pattern: '/v1/bundleIdCapabilities/{id}', handle: remove },
];
