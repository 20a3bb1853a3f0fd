/** /v1/devices: list, register, update (Apple has no DELETE for devices). */
import type { AppleHttpClient } from '../core/http.js';
import type { BundleIdPlatform, Device, DeviceCreateRequest, DeviceResponse, DevicesResponse, DeviceUpdateRequest } from './types.js';

/** Every device on the account (all platforms, all states), in as few pages as Apple allows. */
export async function listDevices(http: AppleHttpClient, filter: { udid?: string[]; platform?: BundleIdPlatform[] } = {}): Promise<Device[]> {
  const query: Record<string, string[]> = {};
  if (filter.udid) query['filter[udid]'] = filter.udid;
  if (filter.platform) query['filter[platform]'] = filter.platform;
  const { data } = await http.all<DevicesResponse['data'][number]>('/v1/devices', query);
  return data;
}

export async function createDevice(http: AppleHttpClient, device: { udid: string; name: string; platform: BundleIdPlatform }): Promise<Device> {
  const body: DeviceCreateRequest = { data: { type: 'devices', attributes: device } };
  return (await http.post<DeviceResponse>('/v1/devices', body)).body.data;
}

export async function updateDevice(http: AppleHttpClient, id: string, attributes: { status?: 'ENABLED' | 'DISABLED'; name?: string }): Promise<Device> {
  const body: DeviceUpdateRequest = { data: { type: 'devices', id, attributes } };
  return (await http.patch<DeviceResponse>(`/v1/devices/${encodeURIComponent(id)}`, body)).body.data;
}
