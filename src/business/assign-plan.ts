/**
 * What assign-devices sends and what each serial number ends as. Pure: no requests here.
 *
 * A device already in the requested state (assigned to the service; or, to unassign, not assigned to
 * it) is left out of the activity, so a second run with the same list sends nothing.
 */
import type { OrgDevice } from './types.js';

export type AssignAction = 'assign' | 'unassign';

type SerialResult = 'assigned' | 'unassigned' | 'already-assigned' | 'not-assigned' | 'submitted' | 'failed';

export interface PlannedAssignment {
  serialNumber: string;
  device: OrgDevice;
  /** Whether it was assigned to the chosen service before the run. */
  onServer: boolean;
  send: boolean;
}

/** Devices Apple reports as UNASSIGNED are on no service; only the others need checking against it. */
export function needsServerCheck(d: OrgDevice): boolean {
  return (d.attributes?.status ?? '').toUpperCase() !== 'UNASSIGNED';
}

export function planAssignment(
  action: AssignAction,
  serials: readonly string[],
  found: ReadonlyMap<string, OrgDevice>,
  onServer: ReadonlySet<string>,
): PlannedAssignment[] {
  return serials.map((serialNumber) => {
    const device = found.get(serialNumber);
    if (!device) throw new Error(`planAssignment: ${serialNumber} was not looked up`);
    const isOn = onServer.has(serialNumber);
    return { serialNumber, device, onServer: isOn, send: action === 'assign' ? !isOn : isOn };
  });
}

export interface SerialOutcome {
  serialNumber: string;
  model: string;
  before: string;
  result: SerialResult;
}

/**
 * The result of each serial number. `done` is the set of sent serials known to be in the requested state
 * afterwards; undefined while the activity has not ended (they are then `submitted`).
 */
export function outcomes(
  action: AssignAction,
  plan: readonly PlannedAssignment[],
  serverLabel: string,
  done: ReadonlySet<string> | undefined,
): SerialOutcome[] {
  return plan.map((p) => {
    const a = p.device.attributes;
    const model = a?.deviceModel ?? a?.productType ?? a?.productFamily ?? '';
    const before = p.onServer ? `assigned to ${serverLabel}` : (a?.status ?? '').toUpperCase() === 'UNASSIGNED' ? 'unassigned' : 'assigned elsewhere';
    let result: SerialResult;
    if (!p.send) result = action === 'assign' ? 'already-assigned' : 'not-assigned';
    else if (!done) result = 'submitted';
    else if (done.has(p.serialNumber)) result = action === 'assign' ? 'assigned' : 'unassigned';
    else result = 'failed';
    return { serialNumber: p.serialNumber, model, before, result };
  });
}

export interface Counts {
  /** Serial numbers this run's activity (un)assigned. */
  assigned: number;
  /** Already in the requested state; not sent. */
  unchanged: number;
  submitted: number;
  failed: number;
}

export function countOutcomes(list: readonly SerialOutcome[]): Counts {
  const n = (...r: SerialResult[]): number => list.filter((o) => r.includes(o.result)).length;
  return { assigned: n('assigned', 'unassigned'), unchanged: n('already-assigned', 'not-assigned'), submitted: n('submitted'), failed: n('failed') };
}
