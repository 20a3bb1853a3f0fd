// /v1/bundleIds: list (filter[identifier] is NOT exact, docs/apple-facts.md §1.8), read, create, rename, delete,
// and the bundle ID's profiles. Its capabilities are in ./capabilities.ts.
import { param, type Reply, type RequestContext, type Route } from '../context.js';
import { ApiError, attributeInvalid, notFound } from '../errors.js';
import { singleDocument, sparse, type ResourceObject } from '../jsonapi.js';
import { bundleIdResource, profileResource, toMany, type BundleIdResource } from '../render.js';
import { onlyAttributes, optionalString, requestData, requiredEnum, requiredString } from '../request-body.js';
import { PLATFORMS } from '../signing-types.js';
import type { BundleIdRecord } from '../types.js';
import { addDefaultCapabilities, capabilitiesOf, removeCapabilitiesOf } from '../capabilities.js';
import { capabilityIdsOf, capabilityResource } from './capabilities.js';
import { includeLimit } from './include.js';
import { exact, linkageReply, listReply } from './listing.js';

const IDENTIFIER = /^(\*|[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(\.\*)?)$/;

function getBundleId(ctx: RequestContext): BundleIdRecord {
  const id = param(ctx, 'id');
  const b = ctx.account.bundleIds.get(id);
  if (!b) throw notFound('bundleIds', id);
  return b;
}

function profileIdsOf(ctx: RequestContext, b: BundleIdRecord): string[] {
  return [...ctx.account.profiles.values()].filter((p) => p.bundleIdId === b.id).map((p) => p.id);
}

/** The resource with linkage for what `include=` asks for. */
function render(ctx: RequestContext, b: BundleIdRecord): BundleIdResource {
  const include = ctx.query.include;
  return bundleIdResource(b, ctx.origin, {
    ...(include.has('profiles') ? { profiles: toMany('profiles', profileIdsOf(ctx, b), includeLimit(ctx, 'profiles')) } : {}),
    ...(include.has('bundleIdCapabilities')
      ? { bundleIdCapabilities: toMany('bundleIdCapabilities', capabilityIdsOf(ctx.account, b.id), includeLimit(ctx, 'bundleIdCapabilities')) }
      : {}),
  });
}

function included(ctx: RequestContext, bundles: readonly BundleIdRecord[]): ResourceObject[] {
  return [...includedProfiles(ctx, bundles), ...includedCapabilities(ctx, bundles)];
}

function includedCapabilities(ctx: RequestContext, bundles: readonly BundleIdRecord[]): ResourceObject[] {
  if (!ctx.query.include.has('bundleIdCapabilities')) return [];
  const fields = ctx.query.fields('bundleIdCapabilities');
  return bundles.flatMap((b) =>
    capabilitiesOf(ctx.account, b.id)
      .slice(0, includeLimit(ctx, 'bundleIdCapabilities'))
      .map((c) => sparse(capabilityResource(c, ctx.origin), fields)),
  );
}

function includedProfiles(ctx: RequestContext, bundles: readonly BundleIdRecord[]): ResourceObject[] {
  if (!ctx.query.include.has('profiles')) return [];
  const fields = ctx.query.fields('profiles');
  return bundles.flatMap((b) =>
    profileIdsOf(ctx, b)
      .slice(0, includeLimit(ctx, 'profiles'))
      .flatMap((id) => {
        const p = ctx.account.profiles.get(id);
        return p ? [sparse(profileResource(p, ctx.origin), fields)] : [];
      }),
  );
}

function list(ctx: RequestContext): Reply {
  return listReply(ctx, [...ctx.account.bundleIds.values()], {
    type: 'bundleIds',
    filters: {
      // Apple matches more than the exact identifier (com.example.app also finds com.example.app.widget).
      'filter[identifier]': (b, values) => values.some((v) => b.identifier.toLowerCase().startsWith(v.toLowerCase())),
      'filter[name]': exact((b) => b.name),
      'filter[platform]': exact((b) => b.platform),
      'filter[seedId]': exact((b) => b.seedId),
      'filter[id]': exact((b) => b.id),
    },
    sortValue: (b, key) => (key === 'id' ? b.id : b[key as 'name' | 'platform' | 'identifier' | 'seedId']),
    render: (b) => render(ctx, b),
    included: (page) => included(ctx, page),
  });
}

function read(ctx: RequestContext): Reply {
  const b = getBundleId(ctx);
  const inc = ctx.query.include.size > 0 ? included(ctx, [b]) : undefined;
  return { status: 200, body: singleDocument(ctx, sparse(render(ctx, b), ctx.query.fields('bundleIds')), inc) };
}

function profiles(ctx: RequestContext): Reply {
  const b = getBundleId(ctx);
  const items = [...ctx.account.profiles.values()].filter((p) => p.bundleIdId === b.id);
  return listReply(ctx, items, { type: 'profiles', render: (p) => profileResource(p, ctx.origin) });
}

function profileLinkage(ctx: RequestContext): Reply {
  return linkageReply(ctx, 'profiles', profileIdsOf(ctx, getBundleId(ctx)));
}

function create(ctx: RequestContext): Reply {
  const { attributes } = requestData(ctx.body, 'bundleIds');
  onlyAttributes(attributes, 'bundleIds', ['identifier', 'name', 'platform', 'seedId']);
  const identifier = requiredString(attributes, 'identifier');
  const name = requiredString(attributes, 'name');
  const platform = requiredEnum(attributes, 'platform', PLATFORMS[ctx.api]);
  const seedId = optionalString(attributes, 'seedId') ?? ctx.env.teamId;
  if (!IDENTIFIER.test(identifier)) throw attributeInvalid('identifier', identifier);
  const taken = [...ctx.account.bundleIds.values()].some((b) => b.identifier.toLowerCase() === identifier.toLowerCase());
  if (taken) {
    throw new ApiError(
      409,
      'ENTITY_ERROR.ATTRIBUTE.INVALID',
      'An attribute in the provided entity has invalid value',
      `An App ID with Identifier '${identifier}' is not available. Please enter a different string.`,
      { pointer: '/data/attributes/identifier' },
    );
  }
  const b: BundleIdRecord = { api: ctx.api, id: ctx.env.ids.next(), identifier, name, platform, seedId };
  ctx.account.bundleIds.set(b.id, b);
  addDefaultCapabilities(ctx.account, b);
  return { status: 201, body: singleDocument(ctx, render(ctx, b)) };
}

function update(ctx: RequestContext): Reply {
  const b = getBundleId(ctx);
  const { attributes } = requestData(ctx.body, 'bundleIds', b.id);
  onlyAttributes(attributes, 'bundleIds', ['name']);
  const name = optionalString(attributes, 'name');
  if (name !== undefined) b.name = name;
  return { status: 200, body: singleDocument(ctx, render(ctx, b)) };
}

/** Deleting an App ID deletes its profiles and capabilities with it. */
function remove(ctx: RequestContext): Reply {
  const b = getBundleId(ctx);
  for (const id of profileIdsOf(ctx, b)) ctx.account.profiles.delete(id);
  removeCapabilitiesOf(ctx.account, b.id);
  ctx.account.bundleIds.delete(b.id);
  return { status: 204 };
}

export const bundleIdRoutes: Route[] = [
  { method: 'GET', pattern: '/v1/bundleIds', handle: list },
  { method: 'POST', pattern: '/v1/bundleIds', handle: create },
  { method: 'GET', pattern: '/v1/bundleIds/{id}', handle: read },
  { method: 'PATCH', pattern: '/v1/bundleIds/{id}', handle: update },
  { method: 'DELETE', pattern: '/v1/bundleIds/{id}', handle: remove },
  { method: 'GET', pattern: '/v1/bundleIds/{id}/profiles', handle: profiles },
  { method: 'GET', pattern: '/v1/bundleIds/{id}/relationships/profiles', handle: profileLinkage },
];
