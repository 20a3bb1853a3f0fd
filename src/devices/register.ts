/**
 * The register-devices workflow: read the lists, compare with the account, register or re-enable what is
 * missing (unless dry-run), and return one outcome per listed line, bad lines included.
 */
import { readFile } from 'node:fs/promises';
import { listDevices } from '../apple/devices.js';
import { InputError } from '../core/errors.js';
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
export async function readDeviceSources(r: Pick<RegisterRequest, 'devices' | 'devicesFile' | 'platform'>): Promise<DeviceList> {
  const lists: DeviceList[] = [];
  if (r.devices !== undefined) lists.push(parseDeviceText(r.devices, r.platform));
  if (r.devicesFile !== undefined) {
    let text: string;
    try {
      text = await readFile(r.devicesFile, 'utf8');
    } catch {
      throw new InputError(
        'devices-file',
        `Input devices-file is '${r.devicesFile}', but no readable file is there; give a path relative to the workspace (check out the repository first).`,
      );
    }
    lists.push(parseDeviceFile(r.devicesFile, text, r.platform));
  }
  if (lists.length === 1) return lists[0] as DeviceList;
  const [inline, file] = lists as [DeviceList, DeviceList];
  const seen = new Set(inline.entries.map((e) => e.udid.toLowerCase()));
  const extra = file.entries.filter((e) => !seen.has(e.udid.toLowerCase()));
  return { entries: [...inline.entries, ...extra], problems: [...inline.problems, ...file.problems], duplicates: [...inline.duplicates, ...file.duplicates] };
}

function failedLine(p: LineProblem): DeviceOutcome {
  return { line: p.line, udid: p.text.split(/[\t,]|\s{2,}/)[0]?.trim() ?? '', name: '', platform: '', result: 'failed', message: p.problem };
}

/** One outcome per listed line, in line order; lines that could not be read are `failed`. */
export async function registerDevices(http: AppleHttpClient, r: RegisterRequest, log: Logger): Promise<DeviceOutcome[]> {
  const list = await readDeviceSources(r);
  for (const d of list.duplicates) log.warning(`line ${d.line}: ${d.problem}`, 'Device listed twice');
  for (const p of list.problems) log.warning(`line ${p.line}: ${p.problem}`, 'Device line not understood');
  const outcomes = await log.group(`Devices (${list.entries.length} listed)`, async () => {
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
