// /v1/devices: list, read, register, rename/enable/disable. There is no DELETE (docs/apple-facts.md §1.5).
import { param, type Reply, type RequestContext, type Route } from '../context.js';
import { attributeInvalid, entityError, forbidden, notFound } from '../errors.js';
import { singleDocument, sparse } from '../jsonapi.js';
import { deviceResource } from '../render.js';
import { onlyAttributes, optionalString, requestData, requiredEnum, requiredString } from '../request-body.js';
import { PLATFORMS } from '../signing-types.js';
import type { DeviceRecord, DeviceStatus, Platform } from '../types.js';
import { caseless, exact, listReply } from './listing.js';

const UDID_FORMS = [
  /^[0-9a-f]{40}$/i, // legacy
  /^[0-9a-f]{8}-[0-9a-f]{16}$/i, // iPhone XS and later, Apple-silicon Macs' provisioning UDID
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, // Intel Macs' hardware UUID
];

function isValidUdid(udid: string): boolean {
  return UDID_FORMS.some((re) => re.test(udid));
}

export function defaultDeviceClass(platform: Platform): string | null {
  if (platform === 'IOS') return 'IPHONE';
  if (platform === 'MAC_OS') return 'MAC';
  return null;
}

const FAMILY_WORD: Record<Platform, string> = { IOS: 'iPhone', MAC_OS: 'Mac', UNIVERSAL: 'universal' };

function getDevice(ctx: RequestContext): DeviceRecord {
  const id = param(ctx, 'id');
  const d = ctx.account.devices.get(id);
  if (!d) throw notFound('devices', id);
  return d;
}

function list(ctx: RequestContext): Reply {
  return listReply(ctx, [...ctx.account.devices.values()], {
    type: 'devices',
    filters: {
      'filter[name]': exact((d) => d.name),
      'filter[platform]': exact((d) => d.platform),
      'filter[udid]': caseless((d) => d.udid),
      'filter[status]': exact((d) => d.status),
      'filter[id]': exact((d) => d.id),
    },
    sortValue: (d, key) => (key === 'id' ? d.id : String(d[key as 'name' | 'platform' | 'udid' | 'status'])),
    render: (d) => deviceResource(d, ctx.origin),
  });
}

function read(ctx: RequestContext): Reply {
  return { status: 200, body: singleDocument(ctx, sparse(deviceResource(getDevice(ctx), ctx.origin), ctx.query.fields('devices'))) };
}

function create(ctx: RequestContext): Reply {
  const { attributes } = requestData(ctx.body, 'devices');
  onlyAttributes(attributes, 'devices', ['name', 'udid', 'platform']);
  const name = requiredString(attributes, 'name');
  const udid = requiredString(attributes, 'udid');
  const platform = requiredEnum(attributes, 'platform', PLATFORMS[ctx.api]);
  if (!isValidUdid(udid)) throw attributeInvalid('udid', udid);
  if (ctx.account.findDeviceByUdid(udid)) throw entityError(`A device with number '${udid}' already exists on this team.`);
  const { deviceYearlyLimit, immediateDevices } = ctx.env;
  if (deviceYearlyLimit !== null && ctx.account.devicesInFamily(platform) >= deviceYearlyLimit) {
    throw forbidden(`Your development team has reached the maximum number of registered ${FAMILY_WORD[platform]} devices.`);
  }
  const nth = ctx.account.countRegistration(platform);
  const status: DeviceStatus = nth <= immediateDevices ? 'ENABLED' : 'PROCESSING';
  const device: DeviceRecord = {
    api: ctx.api,
    id: ctx.env.ids.next(),
    udid,
    name,
    platform,
    deviceClass: defaultDeviceClass(platform),
    model: null,
    status,
    addedDate: ctx.env.now(),
  };
  ctx.account.devices.set(device.id, device);
  return { status: 201, body: singleDocument(ctx, deviceResource(device, ctx.origin)) };
}

function update(ctx: RequestContext): Reply {
  const device = getDevice(ctx);
  const { attributes } = requestData(ctx.body, 'devices', device.id);
  onlyAttributes(attributes, 'devices', ['name', 'status']);
  const name = optionalString(attributes, 'name');
  const status = optionalString(attributes, 'status');
  if (status !== undefined && status !== 'ENABLED' && status !== 'DISABLED') throw attributeInvalid('status', status);
  if (name !== undefined) device.name = name;
  if (status === 'DISABLED' && device.status !== 'DISABLED') {
    device.status = 'DISABLED';
    ctx.account.invalidateProfiles((p) => p.deviceIds.includes(device.id));
  } else if (status === 'ENABLED' && device.status === 'DISABLED') {
    device.status = 'ENABLED';
  }
  // A PROCESSING device stays PROCESSING when asked to be ENABLED: only Apple's processing ends it.
  return { status: 200, body: singleDocument(ctx, deviceResource(device, ctx.origin)) };
}

export const deviceRoutes: Route[] = [
  { method: 'GET', pattern: '/v1/devices', handle: list },
  { method: 'POST', pattern: '/v1/devices', handle: create },
  { method: 'GET', pattern: '/v1/devices/{id}', handle: read },
  { method: 'PATCH', pattern: '/v1/devices/{id}', handle: update },
];
