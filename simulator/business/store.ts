// The organisation: devices, device management services and device activities (docs/apple-facts.md §3.2).
import { randomBytes, randomUUID } from 'node:crypto';
import type { ActivityOutcome, ActivityRecord, BusinessState, MdmServerRecord, OrgDeviceRecord } from './types.js';

export class BusinessStore {
  readonly devices = new Map<string, OrgDeviceRecord>();
  readonly servers = new Map<string, MdmServerRecord>();
  readonly activities = new Map<string, ActivityRecord>();
  private nextOutcomes: ActivityOutcome[] = [];

  constructor(
    private readonly now: () => Date,
    private readonly pollsToComplete: number,
  ) {}

  addDevice(d: Partial<OrgDeviceRecord> & { serialNumber: string }): OrgDeviceRecord {
    const now = this.now();
    const serial = d.serialNumber.toUpperCase();
    if (d.assignedServerId && !this.servers.has(d.assignedServerId)) throw new Error(`no mdmServer ${d.assignedServerId}`);
    const rec: OrgDeviceRecord = {
      serialNumber: serial,
      productFamily: d.productFamily ?? 'iPhone',
      productType: d.productType ?? 'iPhone16,2',
      deviceModel: d.deviceModel ?? 'iPhone 15 Pro Max',
      color: d.color ?? 'BLACK',
      deviceCapacity: d.deviceCapacity ?? '256GB',
      addedToOrgDateTime: d.addedToOrgDateTime ?? now,
      updatedDateTime: d.updatedDateTime ?? now,
      assignedServerId: d.assignedServerId ?? null,
      partNumber: d.partNumber ?? 'MU773LL/A',
      orderNumber: d.orderNumber ?? 'W123456789',
      orderDateTime: d.orderDateTime ?? now,
      imei: d.imei ?? [],
      meid: d.meid ?? [],
      eid: d.eid ?? null,
      purchaseSourceId: d.purchaseSourceId ?? '1A2B3C',
      purchaseSourceType: d.purchaseSourceType ?? 'APPLE',
      wifiMacAddress: d.wifiMacAddress ?? null,
      bluetoothMacAddress: d.bluetoothMacAddress ?? null,
      ethernetMacAddress: d.ethernetMacAddress ?? null,
      releasedFromOrgDateTime: d.releasedFromOrgDateTime ?? null,
      isMdmMigrationCapable: d.isMdmMigrationCapable ?? true,
      mdmMigrationStatus: d.mdmMigrationStatus ?? null,
      mdmMigrationDeadlineDateTime: d.mdmMigrationDeadlineDateTime ?? null,
    };
    this.devices.set(serial, rec);
    return rec;
  }

  addServer(s: Partial<MdmServerRecord> & { serverName: string }): MdmServerRecord {
    const now = this.now();
    const rec: MdmServerRecord = {
      id: s.id ?? randomBytes(16).toString('hex').toUpperCase(),
      serverName: s.serverName,
      serverType: s.serverType ?? 'MDM',
      createdDateTime: s.createdDateTime ?? now,
      updatedDateTime: s.updatedDateTime ?? now,
    };
    this.servers.set(rec.id, rec);
    return rec;
  }

  /** The next activity created ends this way instead of succeeding. */
  failNextActivity(outcome: Partial<ActivityOutcome> = {}): void {
    this.nextOutcomes.push({
      status: outcome.status ?? 'FAILED',
      ...(outcome.failSerials ? { failSerials: outcome.failSerials.map((s) => s.toUpperCase()) } : {}),
    });
  }

  createActivity(activityType: string, mdmServerId: string | null, serials: string[], mdmMigrationDeadlineDateTime: Date | null = null): ActivityRecord {
    const rec: ActivityRecord = {
      id: randomUUID(),
      activityType,
      mdmServerId,
      mdmMigrationDeadlineDateTime,
      serials,
      status: 'IN_PROGRESS',
      subStatus: 'SUBMITTED',
      createdDateTime: this.now(),
      completedDateTime: null,
      polls: 0,
      outcome: this.nextOutcomes.shift() ?? { status: 'COMPLETED' },
    };
    this.activities.set(rec.id, rec);
    return rec;
  }

  /** One GET of the activity: it advances, and ends after `pollsToComplete` of them. */
  poll(a: ActivityRecord): void {
    if (a.status !== 'IN_PROGRESS') return;
    a.polls++;
    if (a.polls < this.pollsToComplete) {
      a.subStatus = 'PROCESSING';
      return;
    }
    const { status } = a.outcome;
    const failed = new Set(a.outcome.failSerials ?? (status === 'COMPLETED' ? [] : a.serials));
    for (const serial of a.serials) {
      if (failed.has(serial)) continue;
      const d = this.devices.get(serial);
      if (!d) continue;
      applyActivity(a, d, this.now());
    }
    a.status = status;
    a.subStatus =
      status === 'COMPLETED'
        ? failed.size > 0
          ? 'COMPLETED_WITH_ERROR'
          : 'COMPLETED_WITH_SUCCESS'
        : status === 'FAILED'
          ? 'COMPLETED_WITH_FAILURE'
          : 'STOPPING';
    a.completedDateTime = this.now();
  }

  state(): BusinessState {
    const copy = <T extends object>(x: T): T => structuredClone(x);
    return {
      devices: [...this.devices.values()].map(copy),
      mdmServers: [...this.servers.values()].map(copy),
      activities: [...this.activities.values()].map(copy),
    };
  }
}

/** What a completed activity does to one of its devices. Migration details beyond Apple's field names are assumptions. */
function applyActivity(a: ActivityRecord, d: OrgDeviceRecord, now: Date): void {
  switch (a.activityType) {
    case 'ASSIGN_DEVICES':
      d.assignedServerId = a.mdmServerId;
      break;
    case 'UNASSIGN_DEVICES':
      if (d.assignedServerId === a.mdmServerId) d.assignedServerId = null;
      break;
    case 'ASSIGN_DEVICES_WITH_MDM_MIGRATION_DEADLINE':
      d.assignedServerId = a.mdmServerId;
      d.mdmMigrationStatus = 'REQUESTED';
      d.mdmMigrationDeadlineDateTime = a.mdmMigrationDeadlineDateTime;
      break;
    case 'UPDATE_MDM_MIGRATION_DEADLINE':
      d.mdmMigrationDeadlineDateTime = a.mdmMigrationDeadlineDateTime;
      break;
    case 'CANCEL_MDM_MIGRATION':
      d.mdmMigrationStatus = null;
      d.mdmMigrationDeadlineDateTime = null;
      break;
    case 'RELEASE_DEVICES':
      d.assignedServerId = null;
      d.releasedFromOrgDateTime = now;
      break;
  }
  d.updatedDateTime = now;
}
