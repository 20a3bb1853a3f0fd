/**
 * The register-devices workflow: read the lists, compare with the account, register or re-enable what is
 * missing (unless dry-run), and return one outcome per listed line, bad lines included.
 */
import { listDevices } from '../apple/devices.js';
import { readListFile } from '../core/list-input.js';
import type { AppleHttpClient } from '../core/http.js';
import type { Logger } from '../core/log.js';
import { applyDevicePlan, type DeviceOutcome } from './apply.js';
import { parseDeviceFile, parseDeviceText, type DeviceList, type DevicePlatform, type LineProblem } from './list.js';
import { planDevices } from './plan.js';

export interface RegisterRequest {
  /** Inline list (the `devices` input). */
  devices: string | undefined;
  /** Path of a list file (the `devices-file` input). */
  devicesFile: string | undefined;
  platform: DevicePlatform;
  enableDisabled: boolean;
  dryRun: boolean;
}

/** Both sources read and merged: the file's entries come after the inline ones; a UDID in both counts once. */
async function readDeviceSources(r: Pick<RegisterRequest, 'devices' | 'devicesFile' | 'platform'>): Promise<DeviceList> {
  const lists: DeviceList[] = [];
  if (r.devices !== undefined) lists.push(parseDeviceText(r.devices, r.platform));
  if (r.devicesFile !== undefined) lists.push(parseDeviceFile(r.devicesFile, await readListFile(r.devicesFile, 'devices-file'), r.platform));
  if (lists.length === 1) return lists[0] as DeviceList;
  const [inline, file] = lists as [DeviceList, DeviceList];
  const seen = new Set(inline.entries.map((e) => e.udid.toLowerCase()));
  const extra = file.entries.filter((e) => !seen.has(e.udid.toLowerCase()));
  return { entries: [...inline.entries, ...extra], problems: [...inline.problems, ...file.problems], duplicates: [...inline.duplicates, ...file.duplicates] };
}

function failedLine(p: LineProblem): DeviceOutcome {
  return { line: p.line, udid: p.udid, name: '', platform: '', result: 'failed', message: p.problem };
}

/** One outcome per listed line, in line order; lines that could not be read are `failed`. */
export async function registerDevices(http: AppleHttpClient, r: RegisterRequest, log: Logger): Promise<DeviceOutcome[]> {
  const list = await readDeviceSources(r);
  for (const d of list.duplicates) log.warning(`line ${d.line}: ${d.problem}`, 'Device listed twice');
  for (const p of list.problems) log.warning(`line ${p.line}: ${p.problem}`, 'Device line not understood');
  // An empty list (a new project's devices file, say) is nothing to do, not a failure.
  const nothing = list.entries.length === 0 && list.problems.length === 0;
  if (nothing) {
    const inputs = [r.devices !== undefined ? 'devices' : '', r.devicesFile !== undefined ? 'devices-file' : ''].filter((n) => n !== '').join(' and ');
    log.warning(
      `${inputs} lists no devices (only blank lines, comments or a header), so there is nothing to register; Apple was not asked.`,
      'No devices listed',
    );
  }
  const outcomes = nothing
    ? []
    : await log.group(`Devices (${list.entries.length} listed)`, async () => {
        const existing = await listDevices(http);
        log.info(`The account has ${existing.length} devices.`);
        const plan = planDevices(existing, list.entries, r.enableDisabled);
        const done = await applyDevicePlan(http, plan, { dryRun: r.dryRun, log });
        for (const o of done) log.info(`${o.result.padEnd(14)} ${o.udid} ${o.name}${o.message ? ` (${o.message})` : ''}`);
        return done;
      });
  const all = [...outcomes, ...list.problems.map(failedLine)].sort((a, b) => a.line - b.line);
  const processing = all.filter((o) => o.status === 'PROCESSING' && o.result === 'registered');
  if (processing.length > 0) {
    log.notice(
      `${processing.length} newly registered device(s) are PROCESSING (${processing.map((o) => o.name).join(', ')}): Apple activates them within 24 to 72 hours, and until then they cannot be added to development or ad hoc profiles (ensure-profile leaves them out and says so).`,
      'Devices processing',
    );
  }
  return all;
}
