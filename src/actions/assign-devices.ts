/**
 * assign-devices: assigns (or unassigns) an organisation's devices to a device management service
 * through the Apple Business / School Manager API, and with `wait` follows the activity to its end.
 */
import { readFile } from 'node:fs/promises';
import { waitForActivity, activityStatus, createActivity, type ActivityType } from '../business/activities.js';
import { countOutcomes, needsServerCheck, outcomes, planAssignment, type AssignAction, type DeviceOutcome } from '../business/assign-plan.js';
import { createBusinessClient, type BusinessApiConfig } from '../business/client.js';
import { businessError } from '../business/errors.js';
import { chooseMdmServer, listMdmServers, serialsAssignedTo, serverName } from '../business/mdm-servers.js';
import { findOrgDevices } from '../business/org-devices.js';
import { parseSerials } from '../business/serials.js';
import type { OrgDeviceActivity } from '../business/types.js';
import { AppleConnectionError, ConfigError, InputError } from '../core/errors.js';
import { realSleep } from '../core/retry.js';
import type { ActionDefinition, ActionResult, RunContext } from './support/action-runner.js';
import { readBusinessApiInputs } from './support/business-inputs.js';
import { budgetLine } from './support/client-deps.js';
import { booleanInput, integerInput, oneOf, optionalString, requiredString, type InputSource } from './support/inputs.js';

export interface AssignDevicesInputs {
  business: BusinessApiConfig;
  serialNumbers: string | undefined;
  serialNumbersFile: string | undefined;
  service: string;
  action: AssignAction;
  wait: boolean;
  pollIntervalMs: number;
  waitTimeoutMs: number;
}

export function parseAssignDevicesInputs(src: InputSource): AssignDevicesInputs {
  const business = readBusinessApiInputs(src);
  const serialNumbers = optionalString(src, 'serial-numbers');
  const serialNumbersFile = optionalString(src, 'serial-numbers-file');
  if (serialNumbers === undefined && serialNumbersFile === undefined) {
    throw new InputError(
      'serial-numbers',
      'Give the devices in serial-numbers (one serial number a line, or comma-separated) or serial-numbers-file (a path to such a list or a CSV with a "Serial Number" column).',
    );
  }
  return {
    business,
    serialNumbers,
    serialNumbersFile,
    service: requiredString(src, 'device-management-service', 'the name or ID of the device management service (MDM server) in Apple Business'),
    action: oneOf(src, 'action', ['assign', 'unassign'] as const, 'assign'),
    wait: booleanInput(src, 'wait', true),
    pollIntervalMs: integerInput(src, 'poll-interval-seconds', 5, 0) * 1000,
    waitTimeoutMs: integerInput(src, 'wait-timeout-minutes', 30, 1) * 60_000,
  };
}

async function readSerials(i: AssignDevicesInputs): Promise<{ serials: string[]; duplicates: string[] }> {
  const serials: string[] = [];
  const duplicates: string[] = [];
  const add = (list: { serials: string[]; duplicates: string[] }): void => {
    duplicates.push(...list.duplicates);
    for (const s of list.serials) (serials.includes(s) ? duplicates : serials).push(s);
  };
  if (i.serialNumbers !== undefined) add(parseSerials(i.serialNumbers, 'serial-numbers'));
  if (i.serialNumbersFile !== undefined) {
    let text: string;
    try {
      text = await readFile(i.serialNumbersFile, 'utf8');
    } catch {
      throw new InputError(
        'serial-numbers-file',
        `Input serial-numbers-file is '${i.serialNumbersFile}', but no readable file is there; give a path relative to the workspace (check out the repository first).`,
      );
    }
    add(parseSerials(text, 'serial-numbers-file'));
  }
  if (serials.length === 0) {
    throw new InputError(
      i.serialNumbers !== undefined ? 'serial-numbers' : 'serial-numbers-file',
      'The serial number list is empty (only blank lines or comments); give at least one serial number.',
    );
  }
  return { serials, duplicates };
}

function listNames(items: readonly string[], max = 20): string {
  return items.length > max ? `${items.slice(0, max).join(', ')} and ${items.length - max} more` : items.join(', ');
}

export async function executeAssignDevices(i: AssignDevicesInputs, ctx: RunContext): Promise<ActionResult> {
  try {
    return await run(i, ctx);
  } catch (err) {
    throw businessError(err);
  }
}

async function run(i: AssignDevicesInputs, ctx: RunContext): Promise<ActionResult> {
  const { log } = ctx;
  const { serials, duplicates } = await readSerials(i);
  if (duplicates.length > 0) log.warning(`Listed more than once (counted once): ${listNames([...new Set(duplicates)])}.`, 'Serial number listed twice');
  const { http, auth } = createBusinessClient(i.business, { mask: ctx.mask, log: (line) => log.debug(line) });
  const verb = i.action === 'assign' ? 'assign' : 'unassign';

  const server = await log.group('Device management service', async () => {
    const servers = await listMdmServers(http);
    const chosen = chooseMdmServer(servers, i.service);
    log.info(`Using '${serverName(chosen)}' (${chosen.id}) of ${servers.length} device management service(s).`);
    return chosen;
  });
  const label = `'${serverName(server)}'`;

  const plan = await log.group(`Devices (${serials.length} listed)`, async () => {
    const lookup = await findOrgDevices(http, serials);
    log.info(`Looked up ${serials.length} serial number(s) with ${lookup.method}.`);
    if (lookup.missing.length > 0) {
      throw new ConfigError(
        `${lookup.missing.length} of ${serials.length} serial numbers are not in the organisation (${listNames(lookup.missing)}), so nothing was sent; check them for typos, or add the devices to Apple Business first, then run again.`,
      );
    }
    const toCheck = serials.filter((s) => {
      const d = lookup.found.get(s);
      return d !== undefined && needsServerCheck(d);
    });
    const onServer = await serialsAssignedTo(http, server.id, toCheck);
    return planAssignment(i.action, serials, lookup.found, onServer);
  });
  const toSend = plan.filter((p) => p.send).map((p) => p.serialNumber);
  log.info(
    `${toSend.length} of ${serials.length} device(s) to ${verb}; ${serials.length - toSend.length} already ${i.action === 'assign' ? `assigned to ${label}` : `not assigned to ${label}`}.`,
  );

  let activity: OrgDeviceActivity | undefined;
  let done: Set<string> | undefined;
  let timedOut = false;
  if (toSend.length === 0) {
    done = new Set();
  } else {
    const type: ActivityType = i.action === 'assign' ? 'ASSIGN_DEVICES' : 'UNASSIGN_DEVICES';
    try {
      activity = await createActivity(http, type, server.id, toSend);
    } catch (err) {
      // Apple has no list of activities to re-read, so a lost answer cannot be checked; never send it blind again.
      if (!(err instanceof AppleConnectionError)) throw err;
      throw new ConfigError(
        `The request creating the ${type} activity got no answer (${err.causeCode}), so Apple may or may not have created it; run the step again: devices already ${i.action === 'assign' ? `assigned to ${label}` : `unassigned from ${label}`} are left out then, and at worst a second activity repeats the same change.`,
      );
    }
    log.info(
      `Created activity ${activity.id} (${type}, ${toSend.length} device(s)): ${activityStatus(activity)}${activity.attributes?.subStatus ? ` / ${activity.attributes.subStatus}` : ''}.`,
    );
    if (i.wait) {
      const polled = await log.group(`Waiting for activity ${activity.id}`, () =>
        waitForActivity(http, activity as OrgDeviceActivity, {
          intervalMs: i.pollIntervalMs,
          maxIntervalMs: Math.max(i.pollIntervalMs, 60_000),
          timeoutMs: i.waitTimeoutMs,
          sleep: realSleep,
          onPoll: (a, n) => log.info(`poll ${n}: ${activityStatus(a)}${a.attributes?.subStatus ? ` / ${a.attributes.subStatus}` : ''}`),
        }),
      );
      activity = polled.activity;
      timedOut = polled.timedOut;
      if (!timedOut) done = await settle(http, i.action, server.id, activity, toSend);
    }
  }

  const list = outcomes(i.action, plan, label, done);
  return report(i, list, activity, { id: server.id, label }, timedOut, `${budgetLine(http).replace(/\.$/, '')}; ${auth.issued} access token(s).`);
}

/** Which sent serials are in the requested state now: all of them on plain success, else re-read. */
async function settle(
  http: Parameters<typeof serialsAssignedTo>[0],
  action: AssignAction,
  serverId: string,
  activity: OrgDeviceActivity,
  sent: string[],
): Promise<Set<string>> {
  const status = activityStatus(activity);
  const sub = activity.attributes?.subStatus;
  if (status === 'COMPLETED' && (sub === undefined || sub === 'COMPLETED_WITH_SUCCESS')) return new Set(sent);
  // Apple reports per-device failures only in the activity's CSV log; the service's device list is the truth.
  const on = await serialsAssignedTo(http, serverId, sent);
  return new Set(action === 'assign' ? sent.filter((s) => on.has(s)) : sent.filter((s) => !on.has(s)));
}

function report(
  i: AssignDevicesInputs,
  list: DeviceOutcome[],
  activity: OrgDeviceActivity | undefined,
  server: { id: string; label: string },
  timedOut: boolean,
  budget: string,
): ActionResult {
  const { label } = server;
  const counts = countOutcomes(list);
  const status = activity ? activityStatus(activity) : 'COMPLETED';
  const subStatus = activity?.attributes?.subStatus ?? '';
  const failedSerials = list.filter((o) => o.result === 'failed').map((o) => o.serialNumber);
  const notes = [
    activity
      ? `Activity ${activity.id}: ${status}${subStatus ? ` (${subStatus})` : ''}.`
      : `Nothing to send: every device is already ${i.action === 'assign' ? `assigned to ${label}` : `not assigned to ${label}`}.`,
    `${counts.assigned} ${i.action === 'assign' ? 'assigned' : 'unassigned'}, ${counts.unchanged} unchanged, ${counts.submitted} submitted, ${counts.failed} failed.`,
    budget,
  ];
  let failure: string | undefined;
  if (timedOut && activity) {
    failure = `Activity ${activity.id} is still ${status} after ${i.waitTimeoutMs / 60_000} minute(s); Apple goes on with it, so check it later in Apple Business, or raise wait-timeout-minutes (or set wait: false to not wait).`;
  } else if (activity && (failedSerials.length > 0 || status === 'FAILED' || status === 'STOPPED')) {
    failure = `Activity ${activity.id} ended ${status}${subStatus ? ` (${subStatus})` : ''}: ${failedSerials.length} of ${list.length - counts.unchanged} device(s) sent were not ${i.action === 'assign' ? 'assigned to' : 'unassigned from'} ${label}${failedSerials.length ? ` (${listNames(failedSerials)})` : ''}; Apple's activity log in Apple Business says why for each device.`;
  }
  return {
    outputs: {
      'activity-id': activity?.id ?? '',
      status,
      'sub-status': subStatus,
      'device-management-service-id': server.id,
      assigned: counts.assigned,
      unchanged: counts.unchanged,
      submitted: counts.submitted,
      failed: counts.failed,
      devices: JSON.stringify(list.map((o) => ({ serialNumber: o.serialNumber, result: o.result }))),
    },
    summary: {
      heading: `assign-devices: ${i.action} ${list.length} device(s) ${i.action === 'assign' ? 'to' : 'from'} ${label}`,
      rows: [['Serial number', 'Model', 'Before', 'Result'], ...list.map((o) => [o.serialNumber, o.model, o.before, o.result])],
      notes,
    },
    ...(failure ? { failure } : {}),
  };
}

export const assignDevices: ActionDefinition<AssignDevicesInputs> = {
  parse: parseAssignDevicesInputs,
  execute: executeAssignDevices,
};
