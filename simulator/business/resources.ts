// JSON:API renderings of the Business API's resources, shaped like Apple's examples (docs/apple-facts.md §3.2).
import type { ActivityRecord, MdmServerRecord, OrgDeviceRecord } from './types.js';

export function orgDeviceJson(d: OrgDeviceRecord, origin: string): Record<string, unknown> {
  const self = `${origin}/v1/orgDevices/${d.serialNumber}`;
  return {
    type: 'orgDevices',
    id: d.serialNumber,
    attributes: {
      serialNumber: d.serialNumber,
      addedToOrgDateTime: d.addedToOrgDateTime.toISOString(),
      updatedDateTime: d.updatedDateTime.toISOString(),
      deviceModel: d.deviceModel,
      productFamily: d.productFamily,
      productType: d.productType,
      deviceCapacity: d.deviceCapacity,
      partNumber: d.partNumber,
      orderNumber: d.orderNumber,
      color: d.color,
      status: d.assignedServerId ? 'ASSIGNED' : 'UNASSIGNED',
      orderDateTime: d.orderDateTime.toISOString(),
      imei: d.imei,
      meid: d.meid,
      eid: d.eid,
      purchaseSourceId: d.purchaseSourceId,
      purchaseSourceType: d.purchaseSourceType,
      wifiMacAddress: d.wifiMacAddress,
      bluetoothMacAddress: d.bluetoothMacAddress,
      ethernetMacAddress: d.ethernetMacAddress,
      releasedFromOrgDateTime: d.releasedFromOrgDateTime?.toISOString() ?? null,
      isMdmMigrationCapable: d.isMdmMigrationCapable,
      mdmMigrationStatus: d.mdmMigrationStatus,
      mdmMigrationDeadlineDateTime: d.mdmMigrationDeadlineDateTime?.toISOString() ?? null,
    },
    relationships: {
      assignedServer: { links: { self: `${self}/relationships/assignedServer`, related: `${self}/assignedServer` } },
    },
    links: { self },
  };
}

export function mdmServerJson(s: MdmServerRecord, origin: string, deviceCount: number): Record<string, unknown> {
  const self = `${origin}/v1/mdmServers/${s.id}`;
  return {
    type: 'mdmServers',
    id: s.id,
    attributes: {
      serverName: s.serverName,
      serverType: s.serverType,
      status: 'ACTIVE',
      deviceCount,
      createdDateTime: s.createdDateTime.toISOString(),
      updatedDateTime: s.updatedDateTime.toISOString(),
    },
    relationships: { devices: { links: { self: `${self}/relationships/devices` } } },
    links: { self },
  };
}

export function activityJson(a: ActivityRecord, origin: string): Record<string, unknown> {
  const attributes: Record<string, unknown> = {
    status: a.status,
    subStatus: a.subStatus,
    createdDateTime: a.createdDateTime.toISOString(),
  };
  if (a.status === 'COMPLETED' && a.completedDateTime) {
    attributes['completedDateTime'] = a.completedDateTime.toISOString();
    attributes['downloadUrl'] = `${origin}/activity-logs/${a.id}.csv?X-Amz-Signature=simulated`;
  }
  return { type: 'orgDeviceActivities', id: a.id, attributes, links: { self: `${origin}/v1/orgDeviceActivities/${a.id}` } };
}

export function errorBody(status: number, code: string, title: string, detail: string): { errors: Record<string, string>[] } {
  return { errors: [{ id: crypto.randomUUID(), status: String(status), code, title, detail }] };
}

/** Cursor paging over a list: opaque cursors, `links.next` absolute, `meta.paging`. */
export function page<T>(
  items: readonly T[],
  query: URLSearchParams,
  self: string,
  defaultLimit: number,
  maxLimit: number,
): { slice: T[]; links: Record<string, string>; meta: Record<string, unknown> } | { error: string } {
  const rawLimit = query.get('limit');
  const limit = rawLimit === null ? defaultLimit : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) return { error: `limit must be an integer from 1 to ${maxLimit}` };
  const cursor = query.get('cursor');
  let offset = 0;
  if (cursor !== null) {
    const decoded = Number(Buffer.from(cursor, 'base64url').toString('utf8').replace(/^o:/, ''));
    if (!Number.isInteger(decoded) || decoded < 0) return { error: 'cursor is not valid' };
    offset = decoded;
  }
  const slice = items.slice(offset, offset + limit);
  const links: Record<string, string> = { self: `${self}${query.size ? `?${query}` : ''}` };
  const meta: { paging: Record<string, unknown> } = { paging: { limit } };
  if (offset + limit < items.length) {
    const next = Buffer.from(`o:${offset + limit}`).toString('base64url');
    const q = new URLSearchParams(query);
    q.set('cursor', next);
    q.set('limit', String(limit));
    links['next'] = `${self}?${q}`;
    meta.paging['nextCursor'] = next;
  }
  return { slice, links, meta };
}
