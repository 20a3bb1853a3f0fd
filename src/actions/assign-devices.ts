/**
 * assign-devices: assigns (or unassigns) an organisation's devices to a device management service
 * through the Apple Business / School Manager API, and with `wait` follows the activity to its end.
 */
import { activityStatus } from '../business/activities.js';
import { countOutcomes, type AssignAction, type SerialOutcome } from '../business/assign-plan.js';
import { assignToService, listNames } from '../business/assign-run.js';
import { createBusinessClient, type BusinessApiConfig } from '../business/client.js';
import { parseSerials } from '../business/serials.js';
import type { OrgDeviceActivity } from '../business/types.js';
import { InputError } from '../core/errors.js';
import { readListFile } from '../core/list-input.js';
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

function parseAssignDevicesInputs(src: InputSource): AssignDevicesInputs {
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
  const seen = new Set<string>();
  const add = (list: { serials: string[]; duplicates: string[] }): void => {
    duplicates.push(...list.duplicates);
    for (const s of list.serials) {
      if (seen.has(s)) duplicates.push(s);
      else {
        seen.add(s);
        serials.push(s);
      }
    }
  };
  if (i.serialNumbers !== undefined) add(parseSerials(i.serialNumbers, 'serial-numbers'));
  if (i.serialNumbersFile !== undefined) {
    add(parseSerials(await readListFile(i.serialNumbersFile, 'serial-numbers-file'), 'serial-numbers-file'));
  }
  if (serials.length === 0) {
    throw new InputError(
      i.serialNumbers !== undefined ? 'serial-numbers' : 'serial-numbers-file',
      'The serial number list is empty (only blank lines or comments); give at least one serial number.',
    );
  }
  return { serials, duplicates };
}

async function executeAssignDevices(i: AssignDevicesInputs, ctx: RunContext): Promise<ActionResult> {
  const { log } = ctx;
  const { serials, duplicates } = await readSerials(i);
  if (duplicates.length > 0) log.warning(`Listed more than once (counted once): ${listNames([...new Set(duplicates)])}.`, 'Serial number listed twice');
  const { http, auth } = createBusinessClient(i.business, { mask: ctx.mask, log });
  const done = await assignToService(
    http,
    { serials, service: i.service, action: i.action, wait: i.wait, pollIntervalMs: i.pollIntervalMs, waitTimeoutMs: i.waitTimeoutMs, sleep: realSleep },
    log,
  );
  return report(i, done.outcomes, done.activity, done.server, done.timedOut, `${budgetLine(http).replace(/\.$/, '')}; ${auth.issued} access token(s).`);
}

function report(
  i: AssignDevicesInputs,
  list: SerialOutcome[],
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
