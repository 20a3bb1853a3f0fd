/**
 * The work of assign-devices: find the device management service and the devices, leave out those
 * already in the requested state, send one activity and (with `wait`) follow it to its end. Requests
 * are made here; the decisions are the pure functions of assign-plan.ts.
 */
import { activityStatus, createActivity, waitForActivity, type ActivityType } from './activities.js';
import { needsServerCheck, outcomes, planAssignment, type AssignAction, type SerialOutcome } from './assign-plan.js';
import { chooseMdmServer, listMdmServers, serialsAssignedTo, serverName } from './mdm-servers.js';
import { findOrgDevices } from './org-devices.js';
import type { OrgDeviceActivity } from './types.js';
import { AppleConnectionError, ConfigError } from '../core/errors.js';
import type { AppleHttpClient } from '../core/http.js';
import type { Logger } from '../core/log.js';
import type { Sleep } from '../core/retry.js';

export interface AssignRequest {
  serials: readonly string[];
  /** The device management service's name or ID. */
  service: string;
  action: AssignAction;
  wait: boolean;
  pollIntervalMs: number;
  waitTimeoutMs: number;
  sleep: Sleep;
}

export interface AssignOutcome {
  outcomes: SerialOutcome[];
  activity: OrgDeviceActivity | undefined;
  server: { id: string; label: string };
  /** The activity was still running when `waitTimeoutMs` ran out. */
  timedOut: boolean;
}

export function listNames(items: readonly string[], max = 20): string {
  return items.length > max ? `${items.slice(0, max).join(', ')} and ${items.length - max} more` : items.join(', ');
}

export async function assignToService(http: AppleHttpClient, i: AssignRequest, log: Logger): Promise<AssignOutcome> {
  const { serials } = i;
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
          sleep: i.sleep,
          onPoll: (a, n) => log.info(`poll ${n}: ${activityStatus(a)}${a.attributes?.subStatus ? ` / ${a.attributes.subStatus}` : ''}`),
        }),
      );
      activity = polled.activity;
      timedOut = polled.timedOut;
      if (!timedOut) done = await settle(http, i.action, server.id, activity, toSend);
    }
  }

  return { outcomes: outcomes(i.action, plan, label, done), activity, server: { id: server.id, label }, timedOut };
}

/** Which sent serials are in the requested state now: all of them on plain success, else re-read. */
async function settle(http: AppleHttpClient, action: AssignAction, serverId: string, activity: OrgDeviceActivity, sent: string[]): Promise<Set<string>> {
  const status = activityStatus(activity);
  const sub = activity.attributes?.subStatus;
  if (status === 'COMPLETED' && (sub === undefined || sub === 'COMPLETED_WITH_SUCCESS')) return new Set(sent);
  // Apple reports per-device failures only in the activity's CSV log; the service's device list is the truth.
  const on = await serialsAssignedTo(http, serverId, sent);
  return new Set(action === 'assign' ? sent.filter((s) => on.has(s)) : sent.filter((s) => !on.has(s)));
}
