/** Carries out a device plan: one write per device to register or enable, nothing else. */
import { createDevice, listDevices, updateDevice } from '../apple/devices.js';
import type { Device } from '../apple/types.js';
import { AppleApiError } from '../core/errors.js';
import type { AppleHttpClient } from '../core/http.js';
import type { Logger } from '../core/log.js';
import { mapPool } from '../core/pool.js';
import { writeWithReread } from '../core/reread-write.js';
import type { PlannedDevice } from './plan.js';

type DeviceResultKind = 'registered' | 'enabled' | 'unchanged' | 'failed' | 'would-register' | 'would-enable';

export interface DeviceOutcome {
  line: number;
  udid: string;
  name: string;
  platform: string;
  id?: string | undefined;
  status?: string | undefined;
  result: DeviceResultKind;
  /** Why it failed, or a remark on an unchanged device. */
  message?: string;
}

/** Requests in flight at once: enough to overlap latency, few enough not to draw 429s. */
const CONCURRENCY = 4;

function outcome(p: PlannedDevice, result: DeviceResultKind, device?: Device, message?: string): DeviceOutcome {
  const o: DeviceOutcome = {
    line: p.entry.line,
    udid: device?.attributes?.udid ?? p.entry.udid,
    name: device?.attributes?.name ?? p.entry.name,
    platform: device?.attributes?.platform ?? p.entry.platform,
    id: device?.id,
    status: device?.attributes?.status,
    result,
  };
  if (message) o.message = message;
  return o;
}

async function findByUdid(http: AppleHttpClient, udid: string): Promise<Device | undefined> {
  const found = await listDevices(http, { udid: [udid] });
  return found.find((d) => d.attributes?.udid?.toLowerCase() === udid.toLowerCase());
}

/** Errors that would fail every other device too end the step; the rest fail only their device. */
function isFatal(err: unknown): boolean {
  return !(err instanceof AppleApiError) || err.status === 401 || err.status === 403 || err.status === 429 || err.status >= 500;
}

async function applyOne(http: AppleHttpClient, p: PlannedDevice, log: Logger): Promise<DeviceOutcome> {
  const { udid, name, platform } = p.entry;
  try {
    if (p.action === 'enable' && p.existing) {
      const updated = await updateDevice(http, p.existing.id, { status: 'ENABLED' });
      return outcome(p, 'enabled', updated);
    }
    const created = await writeWithReread({
      write: () => createDevice(http, { udid, name, platform }),
      reread: () => findByUdid(http, udid),
      log: (l) => log.debug(l),
    });
    return outcome(p, 'registered', created);
  } catch (err) {
    if (err instanceof AppleApiError && err.status === 409 && err.detailMatches(/already exists/i)) {
      // Registered by someone else since we listed: nothing for us to change.
      const existing = await findByUdid(http, udid);
      if (existing) return outcome(p, 'unchanged', existing, 'registered meanwhile by someone else');
    }
    if (isFatal(err)) throw err;
    const e = err as AppleApiError;
    return outcome(p, 'failed', undefined, `${e.code}: ${e.detail}`);
  }
}

export async function applyDevicePlan(http: AppleHttpClient, plan: readonly PlannedDevice[], o: { dryRun: boolean; log: Logger }): Promise<DeviceOutcome[]> {
  return mapPool(plan, CONCURRENCY, async (p) => {
    if (p.action === 'none') return outcome(p, 'unchanged', p.existing, p.note);
    if (o.dryRun) return outcome(p, p.action === 'register' ? 'would-register' : 'would-enable', p.existing);
    return applyOne(http, p, o.log);
  });
}
