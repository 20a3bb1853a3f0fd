// The Business API's /v1 routes over the store. Each returns a status and a JSON body.
import { activityJson, errorBody, mdmServerJson, orgDeviceJson, page } from './resources.js';
import type { BusinessStore } from './store.js';

export interface RouteAnswer {
  status: number;
  body?: unknown;
}

const notFound = (type: string, id: string): RouteAnswer => ({
  status: 404,
  body: errorBody(404, 'NOT_FOUND', "The specified resource doesn't exist", `There is no resource of type '${type}' with id '${id}'`),
});
const paramError = (detail: string): RouteAnswer => ({
  status: 400,
  body: errorBody(400, 'PARAMETER_ERROR.INVALID', 'A parameter has an invalid value', detail),
});
const entityError = (status: 409 | 422, detail: string): RouteAnswer => ({
  status,
  body: errorBody(status, status === 409 ? 'ENTITY_ERROR' : 'ENTITY_UNPROCESSABLE', 'There is a problem with the request entity', detail),
});

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

function paged<T>(items: readonly T[], query: URLSearchParams, self: string, render: (t: T) => unknown): RouteAnswer {
  const p = page(items, query, self, DEFAULT_LIMIT, MAX_LIMIT);
  if ('error' in p) return paramError(p.error);
  return { status: 200, body: { data: p.slice.map(render), links: p.links, meta: p.meta } };
}

export function route(
  store: BusinessStore,
  origin: string,
  method: string,
  path: string,
  query: URLSearchParams,
  body: unknown,
  onPoll: (id: string, n: number) => void,
  now: Date,
): RouteAnswer {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [v1, collection, id, rel, relName] = parts;
  if (v1 !== 'v1' || !collection) return notFound('path', path);
  const self = `${origin}${path}`;
  if (method === 'GET' && collection === 'orgDevices') {
    const devices = [...store.devices.values()];
    if (!id) return paged(devices, query, self, (d) => orgDeviceJson(d, origin));
    const d = store.devices.get(id);
    if (!d) return notFound('orgDevices', id);
    if (!rel) return { status: 200, body: { data: orgDeviceJson(d, origin), links: { self } } };
    if (rel === 'relationships' && relName === 'assignedServer' && parts.length === 5) {
      return { status: 200, body: { data: d.assignedServerId ? { type: 'mdmServers', id: d.assignedServerId } : null, links: { self } } };
    }
  }
  if (method === 'GET' && collection === 'mdmServers') {
    const count = (sid: string): number => [...store.devices.values()].filter((d) => d.assignedServerId === sid).length;
    if (!id) return paged([...store.servers.values()], query, self, (s) => mdmServerJson(s, origin, count(s.id)));
    const s = store.servers.get(id);
    if (!s) return notFound('mdmServers', id);
    if (!rel) return { status: 200, body: { data: mdmServerJson(s, origin, count(s.id)), links: { self } } };
    if (rel === 'relationships' && relName === 'devices' && parts.length === 5) {
      const devices = [...store.devices.values()].filter((d) => d.assignedServerId === s.id);
      return paged(devices, query, self, (d) => ({ type: 'orgDevices', id: d.serialNumber }));
    }
  }
  if (collection === 'orgDeviceActivities') {
    if (method === 'POST' && !id) return createActivity(store, origin, body, now);
    if (method === 'GET' && id && !rel) {
      const a = store.activities.get(id);
      if (!a) return notFound('orgDeviceActivities', id);
      store.poll(a);
      onPoll(a.id, a.polls);
      return { status: 200, body: { data: activityJson(a, origin), links: { self } } };
    }
  }
  return { status: 405, body: errorBody(405, 'METHOD_NOT_ALLOWED', 'The request method is not allowed', `${method} ${path} is not allowed`) };
}

interface ActivityBody {
  data?: {
    type?: unknown;
    attributes?: { activityType?: unknown; activityTypeMetadata?: { mdmMigrationDeadlineDateTime?: unknown } };
    relationships?: {
      mdmServer?: { data?: { type?: unknown; id?: unknown } };
      devices?: { data?: Array<{ type?: unknown; id?: unknown }> };
    };
  };
}

/** Apple's six activity types (docs/apple-facts.md §3.2): whether each names a device management service and takes a deadline. */
const ACTIVITY_TYPES: Readonly<Record<string, { server: boolean; deadline: boolean }>> = {
  ASSIGN_DEVICES: { server: true, deadline: false },
  UNASSIGN_DEVICES: { server: true, deadline: false },
  ASSIGN_DEVICES_WITH_MDM_MIGRATION_DEADLINE: { server: true, deadline: true },
  UPDATE_MDM_MIGRATION_DEADLINE: { server: false, deadline: true },
  CANCEL_MDM_MIGRATION: { server: false, deadline: false },
  RELEASE_DEVICES: { server: false, deadline: false },
};

/** A migration deadline is at most 90 days ahead (docs/apple-facts.md §3.2). */
const MAX_DEADLINE_MS = 90 * 86_400_000;

function createActivity(store: BusinessStore, origin: string, raw: unknown, now: Date): RouteAnswer {
  const data = (raw as ActivityBody | undefined)?.data;
  if (!data || data.type !== 'orgDeviceActivities') return entityError(422, "data.type must be 'orgDeviceActivities'");
  const activityType = data.attributes?.activityType;
  const kind = typeof activityType === 'string' ? ACTIVITY_TYPES[activityType] : undefined;
  if (typeof activityType !== 'string' || !kind) return entityError(422, `activityType must be one of ${Object.keys(ACTIVITY_TYPES).join(', ')}`);
  let serverId: string | null = null;
  if (kind.server) {
    const server = data.relationships?.mdmServer?.data;
    if (!server || server.type !== 'mdmServers' || typeof server.id !== 'string') return entityError(422, 'relationships.mdmServer.data is required');
    if (!store.servers.has(server.id)) return entityError(409, `There is no mdmServer with id '${server.id}'`);
    serverId = server.id;
  }
  let deadline: Date | null = null;
  if (kind.deadline) {
    const raw = data.attributes?.activityTypeMetadata?.mdmMigrationDeadlineDateTime;
    if (typeof raw !== 'string') return entityError(422, `${activityType} needs activityTypeMetadata.mdmMigrationDeadlineDateTime`);
    deadline = new Date(raw);
    const ahead = deadline.getTime() - now.getTime();
    if (Number.isNaN(ahead) || ahead <= 0 || ahead > MAX_DEADLINE_MS) {
      return entityError(409, `Invalid mdmMigrationDeadlineDateTime '${raw}': it must be in the future and at most 90 days ahead`);
    }
  }
  const devices = data.relationships?.devices?.data;
  if (!Array.isArray(devices) || devices.length === 0) return entityError(422, 'relationships.devices.data needs at least one device');
  const serials: string[] = [];
  for (const d of devices) {
    if (d.type !== 'orgDevices' || typeof d.id !== 'string') return entityError(422, "each device is {type: 'orgDevices', id: <serial number>}");
    if (!store.devices.has(d.id)) return entityError(409, `Invalid serial number '${d.id}'`);
    serials.push(d.id);
  }
  const a = store.createActivity(activityType, serverId, serials, deadline);
  return { status: 201, body: { data: activityJson(a, origin), links: { self: `${origin}/v1/orgDeviceActivities/${a.id}` } } };
}
