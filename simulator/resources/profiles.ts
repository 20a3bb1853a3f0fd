// /v1/profiles: list, read, related devices/certificates/bundleId, create, delete. No PATCH (docs/apple-facts.md §1.6).
import { param, type Reply, type RequestContext, type Route } from '../context.js';
import { notFound } from '../errors.js';
import { singleDocument, sparse, type ResourceObject } from '../jsonapi.js';
import { bundleIdResource, certificateResource, deviceResource, profileMembers, profileResource, toMany, type ProfileResource } from '../render.js';
import type { ProfileRecord } from '../types.js';
import { includeLimit } from './include.js';
import { exact, linkageReply, listReply } from './listing.js';
import { createProfile } from './profile-create.js';

function getProfile(ctx: RequestContext): ProfileRecord {
  const id = param(ctx, 'id');
  const p = ctx.account.profiles.get(id);
  if (!p) throw notFound('profiles', id);
  return p;
}

function render(ctx: RequestContext, p: ProfileRecord): ProfileResource {
  const include = ctx.query.include;
  const members = profileMembers(p, ctx.account);
  return profileResource(p, ctx.origin, {
    bundleId: include.has('bundleId'),
    ...(include.has('devices') ? { devices: toMany('devices', members.deviceIds, includeLimit(ctx, 'devices')) } : {}),
    ...(include.has('certificates') ? { certificates: toMany('certificates', members.certificateIds, includeLimit(ctx, 'certificates')) } : {}),
  });
}

function included(ctx: RequestContext, profiles: readonly ProfileRecord[]): ResourceObject[] {
  const include = ctx.query.include;
  const { account, origin, query } = ctx;
  const out: ResourceObject[] = [];
  for (const p of profiles) {
    const members = profileMembers(p, account);
    const bundle = account.bundleIds.get(p.bundleIdId);
    if (include.has('bundleId') && bundle) out.push(sparse(bundleIdResource(bundle, origin), query.fields('bundleIds')));
    if (include.has('devices')) {
      for (const id of members.deviceIds.slice(0, includeLimit(ctx, 'devices'))) {
        const d = account.devices.get(id);
        if (d) out.push(sparse(deviceResource(d, origin), query.fields('devices')));
      }
    }
    if (include.has('certificates')) {
      for (const id of members.certificateIds.slice(0, includeLimit(ctx, 'certificates'))) {
        const c = account.certificates.get(id);
        if (c) out.push(sparse(certificateResource(c, origin), query.fields('certificates')));
      }
    }
  }
  return out;
}

function list(ctx: RequestContext): Reply {
  return listReply(ctx, [...ctx.account.profiles.values()], {
    type: 'profiles',
    filters: {
      'filter[name]': exact((p) => p.name),
      'filter[profileType]': exact((p) => p.profileType),
      'filter[profileState]': exact((p) => p.profileState),
      'filter[id]': exact((p) => p.id),
    },
    sortValue: (p, key) => (key === 'id' ? p.id : p[key as 'name' | 'profileType' | 'profileState']),
    render: (p) => render(ctx, p),
    included: (page) => included(ctx, page),
  });
}

function read(ctx: RequestContext): Reply {
  const p = getProfile(ctx);
  const inc = ctx.query.include.size > 0 ? included(ctx, [p]) : undefined;
  return { status: 200, body: singleDocument(ctx, sparse(render(ctx, p), ctx.query.fields('profiles')), inc) };
}

function devices(ctx: RequestContext): Reply {
  const members = profileMembers(getProfile(ctx), ctx.account);
  const items = members.deviceIds.flatMap((id) => {
    const d = ctx.account.devices.get(id);
    return d ? [d] : [];
  });
  return listReply(ctx, items, { type: 'devices', render: (d) => deviceResource(d, ctx.origin) });
}

function certificates(ctx: RequestContext): Reply {
  const members = profileMembers(getProfile(ctx), ctx.account);
  const items = members.certificateIds.flatMap((id) => {
    const c = ctx.account.certificates.get(id);
    return c ? [c] : [];
  });
  return listReply(ctx, items, { type: 'certificates', render: (c) => certificateResource(c, ctx.origin) });
}

function bundleId(ctx: RequestContext): Reply {
  const p = getProfile(ctx);
  const b = ctx.account.bundleIds.get(p.bundleIdId);
  if (!b) throw notFound('bundleIds', p.bundleIdId);
  return { status: 200, body: singleDocument(ctx, sparse(bundleIdResource(b, ctx.origin), ctx.query.fields('bundleIds'))) };
}

function deviceLinkage(ctx: RequestContext): Reply {
  return linkageReply(ctx, 'devices', profileMembers(getProfile(ctx), ctx.account).deviceIds);
}

function certificateLinkage(ctx: RequestContext): Reply {
  return linkageReply(ctx, 'certificates', profileMembers(getProfile(ctx), ctx.account).certificateIds);
}

function bundleIdLinkage(ctx: RequestContext): Reply {
  const p = getProfile(ctx);
  return { status: 200, body: singleDocument(ctx, { type: 'bundleIds', id: p.bundleIdId }) };
}

function create(ctx: RequestContext): Reply {
  const p = createProfile(ctx);
  ctx.account.profiles.set(p.id, p);
  return { status: 201, body: singleDocument(ctx, render(ctx, p)) };
}

function remove(ctx: RequestContext): Reply {
  ctx.account.profiles.delete(getProfile(ctx).id);
  return { status: 204 };
}

export const profileRoutes: Route[] = [
  { method: 'GET', pattern: '/v1/profiles', handle: list },
  { method: 'POST', pattern: '/v1/profiles', handle: create },
  { method: 'GET', pattern: '/v1/profiles/{id}', handle: read },
  { method: 'DELETE', pattern: '/v1/profiles/{id}', handle: remove },
  { method: 'GET', pattern: '/v1/profiles/{id}/devices', handle: devices },
  { method: 'GET', pattern: '/v1/profiles/{id}/certificates', handle: certificates },
  { method: 'GET', pattern: '/v1/profiles/{id}/bundleId', handle: bundleId },
  { method: 'GET', pattern: '/v1/profiles/{id}/relationships/devices', handle: deviceLinkage },
  { method: 'GET', pattern: '/v1/profiles/{id}/relationships/certificates', handle: certificateLinkage },
  { method: 'GET', pattern: '/v1/profiles/{id}/relationships/bundleId', handle: bundleIdLinkage },
];
