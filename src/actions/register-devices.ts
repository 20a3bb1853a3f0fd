/** register-devices: registers listed devices, re-enables disabled ones, and changes nothing else. */
import { createAppleClient, type AppleApiConfig } from '../apple/client.js';
import { InputError } from '../core/errors.js';
import type { DeviceOutcome } from '../devices/apply.js';
import { registerDevices as registerDeviceList, type RegisterRequest } from '../devices/register.js';
import type { ActionDefinition, ActionResult, RunContext } from './support/action-runner.js';
import { readAppleApiInputs } from './support/apple-inputs.js';
import { booleanInput, oneOf, optionalString, type InputSource } from './support/inputs.js';
import { budgetLine, clientDeps } from './support/client-deps.js';

export interface RegisterDevicesInputs extends RegisterRequest {
  apple: AppleApiConfig;
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

export async function executeRegisterDevices(i: RegisterDevicesInputs, ctx: RunContext): Promise<ActionResult> {
  const http = createAppleClient(i.apple, clientDeps(ctx));
  const all = await registerDeviceList(http, i, ctx.log);
  const count = (r: DeviceOutcome['result']): number => all.filter((o) => o.result === r).length;
  ctx.log.info(budgetLine(http));
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
          failure: `${failed.length} of ${all.length} devices failed (${failed.map((f) => `line ${f.line}: ${f.message}`).join('; ')}); fix those lines and run again${i.dryRun ? ' (this was a dry run: nothing was changed)' : ' (the others are done and will show as unchanged)'}.`,
        }
      : {}),
  };
}

export const registerDevices: ActionDefinition<RegisterDevicesInputs> = {
  parse: parseRegisterDevicesInputs,
  execute: executeRegisterDevices,
};
