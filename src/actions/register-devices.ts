/** register-devices: registers listed devices, re-enables disabled ones, and changes nothing else. */
import { createAppleClient, type AppleApiConfig } from '../apple/client.js';
import { listDevices } from '../apple/devices.js';
import { InputError } from '../core/errors.js';
import { readListFile } from '../core/list-input.js';
import { applyDevicePlan, type DeviceOutcome } from '../devices/apply.js';
import { parseDeviceFile, parseDeviceText, type DeviceList, type DevicePlatform, type LineProblem } from '../devices/list.js';
import { planDevices } from '../devices/plan.js';
import type { ActionDefinition, ActionResult, RunContext } from './support/action-runner.js';
import { readAppleApiInputs } from './support/apple-inputs.js';
import { booleanInput, oneOf, optionalString, type InputSource } from './support/inputs.js';
import { budgetLine, clientDeps } from './support/client-deps.js';

export interface RegisterDevicesInputs {
  apple: AppleApiConfig;
  devices: string | undefined;
  devicesFile: string | undefined;
  platform: DevicePlatform;
  enableDisabled: boolean;
  dryRun: boolean;
}

export function parseRegisterDevicesInputs(src: InputSource): RegisterDevicesInputs {
  const apple = readAppleApiInputs(src);
  const devices = optionalString(src, 'devices');
  const devicesFile = optionalString(src, 'devices-file');
  if (devices === undefined && devicesFile === undefined) {
    throw new InputError(
      'devices',
      'Give the devices to register in devices (one "UDID, name[, platform]" a line) or devices-file (a .txt/.deviceids, .csv or .json file).',
    );
  }
  return {
    apple,
    devices,
    devicesFile,
    platform: oneOf(src, 'platform', ['IOS', 'MAC_OS'] as const, 'IOS', { ios: 'IOS', macos: 'MAC_OS', mac: 'MAC_OS', mac_os: 'MAC_OS' }),
    enableDisabled: booleanInput(src, 'enable-disabled', true),
    dryRun: booleanInput(src, 'dry-run', false),
  };
}

async function readList(i: RegisterDevicesInputs): Promise<DeviceList> {
  const lists: DeviceList[] = [];
  if (i.devices !== undefined) lists.push(parseDeviceText(i.devices, i.platform));
  if (i.devicesFile !== undefined) {
    lists.push(parseDeviceFile(i.devicesFile, await readListFile(i.devicesFile, 'devices-file'), i.platform));
  }
  if (lists.length === 1) return lists[0] as DeviceList;
  // Both given: the file's entries come after the inline ones; a UDID in both counts once.
  const [inline, file] = lists as [DeviceList, DeviceList];
  const seen = new Set(inline.entries.map((e) => e.udid.toLowerCase()));
  const extra = file.entries.filter((e) => !seen.has(e.udid.toLowerCase()));
  return { entries: [...inline.entries, ...extra], problems: [...inline.problems, ...file.problems], duplicates: [...inline.duplicates, ...file.duplicates] };
}

function failedLine(p: LineProblem): DeviceOutcome {
  return { line: p.line, udid: p.udid, name: '', platform: '', result: 'failed', message: p.problem };
}

export async function executeRegisterDevices(i: RegisterDevicesInputs, ctx: RunContext): Promise<ActionResult> {
  const { log } = ctx;
  const list = await readList(i);
  for (const d of list.duplicates) log.warning(`line ${d.line}: ${d.problem}`, 'Device listed twice');
  for (const p of list.problems) log.warning(`line ${p.line}: ${p.problem}`, 'Device line not understood');
  const http = createAppleClient(i.apple, clientDeps(ctx));
  // An empty list (a new project's devices file, say) is nothing to do, not a failure.
  const nothing = list.entries.length === 0 && list.problems.length === 0;
  if (nothing) {
    const inputs = [i.devices !== undefined ? 'devices' : '', i.devicesFile !== undefined ? 'devices-file' : ''].filter((n) => n !== '').join(' and ');
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
        const plan = planDevices(existing, list.entries, i.enableDisabled);
        const done = await applyDevicePlan(http, plan, { dryRun: i.dryRun, log });
        for (const o of done) log.info(`${o.result.padEnd(14)} ${o.udid} ${o.name}${o.message ? ` (${o.message})` : ''}`);
        return done;
      });
  const all = [...outcomes, ...list.problems.map(failedLine)].sort((a, b) => a.line - b.line);
  const count = (r: DeviceOutcome['result']): number => all.filter((o) => o.result === r).length;
  const processing = all.filter((o) => o.status === 'PROCESSING' && o.result === 'registered');
  if (processing.length > 0) {
    log.notice(
      `${processing.length} newly registered device(s) are PROCESSING (${processing.map((o) => o.name).join(', ')}): Apple activates them within 24 to 72 hours, and until then they cannot be added to development or ad hoc profiles (ensure-profile leaves them out and says so).`,
      'Devices processing',
    );
  }
  log.info(budgetLine(http));
  const failed = all.filter((o) => o.result === 'failed');
  const devicesJson = all.map((o) => ({ udid: o.udid, name: o.name, platform: o.platform, id: o.id ?? null, status: o.status ?? null, result: o.result }));
  return {
    outputs: {
      registered: count('registered'),
      enabled: count('enabled'),
      unchanged: count('unchanged'),
      failed: failed.length,
      'would-register': count('would-register'),
      'would-enable': count('would-enable'),
      devices: JSON.stringify(devicesJson),
    },
    summary: {
      heading: i.dryRun ? 'register-devices (dry run: nothing changed)' : 'register-devices',
      rows: [
        ['Line', 'UDID', 'Name', 'Platform', 'Status', 'Result'],
        ...all.map((o) => [String(o.line), o.udid, o.name, o.platform, o.status ?? '', o.message ? `${o.result}: ${o.message}` : o.result]),
      ],
      notes: [`${count('registered')} registered, ${count('enabled')} enabled, ${count('unchanged')} unchanged, ${failed.length} failed.`],
    },
    ...(failed.length > 0
      ? {
          failure: `${failed.length} of ${all.length} devices failed (${failed.map((f) => `line ${f.line}: ${f.message}`).join('; ')}); fix those lines and run again (the others are done and will show as unchanged).`,
        }
      : {}),
  };
}

export const registerDevices: ActionDefinition<RegisterDevicesInputs> = {
  parse: parseRegisterDevicesInputs,
  execute: executeRegisterDevices,
};
