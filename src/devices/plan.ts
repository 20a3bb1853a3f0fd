/** Decides, from what Apple has and what the list asks for, which devices to register or enable. Pure. */
import type { Device, DeviceStatus } from '../apple/types.js';
import type { DeviceEntry } from './list.js';

type DeviceAction = 'register' | 'enable' | 'none';

export interface PlannedDevice {
  entry: DeviceEntry;
  action: DeviceAction;
  existing?: Device;
  /** Why nothing is done, when that needs saying (e.g. disabled and enable-disabled is false). */
  note?: string;
}

export function planDevices(existing: readonly Device[], wanted: readonly DeviceEntry[], enableDisabled: boolean): PlannedDevice[] {
  const byUdid = new Map<string, Device>();
  for (const d of existing) {
    const udid = d.attributes?.udid;
    if (udid) byUdid.set(udid.toLowerCase(), d);
  }
  return wanted.map((entry) => {
    const found = byUdid.get(entry.udid.toLowerCase());
    if (!found) return { entry, action: 'register' };
    const status: DeviceStatus | undefined = found.attributes?.status;
    if (status === 'DISABLED') {
      return enableDisabled
        ? { entry, action: 'enable', existing: found }
        : { entry, action: 'none', existing: found, note: 'disabled on the account; enable-disabled is false' };
    }
    return { entry, action: 'none', existing: found };
  });
}
