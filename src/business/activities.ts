/** Org device activities: create one, and poll it with backoff until it ends (docs/apple-facts.md §3.2). */
import type { AppleHttpClient } from '../core/http.js';
import type { Sleep } from '../core/retry.js';
import type { OrgDeviceActivity } from './types.js';

export type ActivityType = 'ASSIGN_DEVICES' | 'UNASSIGN_DEVICES';

const FINAL_STATUSES: ReadonlySet<string> = new Set(['COMPLETED', 'FAILED', 'STOPPED']);

export async function createActivity(
  http: AppleHttpClient,
  activityType: ActivityType,
  serverId: string,
  serials: readonly string[],
): Promise<OrgDeviceActivity> {
  const body = {
    data: {
      type: 'orgDeviceActivities',
      attributes: { activityType },
      relationships: {
        mdmServer: { data: { type: 'mdmServers', id: serverId } },
        devices: { data: serials.map((id) => ({ type: 'orgDevices', id })) },
      },
    },
  };
  return (await http.post<{ data: OrgDeviceActivity }>('/v1/orgDeviceActivities', body)).body.data;
}

async function getActivity(http: AppleHttpClient, id: string): Promise<OrgDeviceActivity> {
  return (await http.get<{ data: OrgDeviceActivity }>(`/v1/orgDeviceActivities/${encodeURIComponent(id)}`)).body.data;
}

export interface PollOptions {
  /** First wait between polls; each later one is 1.5 times longer, up to `maxIntervalMs`. */
  intervalMs: number;
  maxIntervalMs: number;
  /** Give up (return the last state) after this long. */
  timeoutMs: number;
  sleep: Sleep;
  now?: () => number;
  onPoll?: (activity: OrgDeviceActivity, poll: number) => void;
}

export interface PollResult {
  activity: OrgDeviceActivity;
  polls: number;
  timedOut: boolean;
}

export function activityStatus(a: OrgDeviceActivity): string {
  return a.attributes?.status ?? 'IN_PROGRESS';
}

/** Polls until COMPLETED, FAILED or STOPPED, or until the timeout. */
export async function waitForActivity(http: AppleHttpClient, start: OrgDeviceActivity, o: PollOptions): Promise<PollResult> {
  const now = o.now ?? Date.now;
  const deadline = now() + o.timeoutMs;
  let activity = start;
  let interval = o.intervalMs;
  let polls = 0;
  while (!FINAL_STATUSES.has(activityStatus(activity))) {
    if (now() + interval > deadline) return { activity, polls, timedOut: true };
    await o.sleep(interval);
    activity = await getActivity(http, start.id);
    polls++;
    o.onPoll?.(activity, polls);
    interval = Math.min(o.maxIntervalMs, interval * 1.5);
  }
  return { activity, polls, timedOut: false };
}
