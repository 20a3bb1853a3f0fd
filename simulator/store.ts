// The simulated accounts: one per API, each with its own devices, bundle IDs, certificates and profiles.
import type { AccountView, ApiKind, BundleIdRecord, CapabilityRecord, CertificateRecord, DeviceRecord, ProfileRecord } from './types.js';

export class Account {
  readonly devices = new Map<string, DeviceRecord>();
  readonly bundleIds = new Map<string, BundleIdRecord>();
  readonly certificates = new Map<string, CertificateRecord>();
  readonly profiles = new Map<string, ProfileRecord>();
  /** Capabilities of the bundle IDs, by capability id (simulator/capabilities.ts). */
  readonly capabilities = new Map<string, CapabilityRecord>();
  /** Devices registered through the API in this membership year, per platform family. */
  private readonly registeredThisYear = new Map<string, number>();

  constructor(readonly api: ApiKind) {}

  view(): AccountView {
    return {
      devices: [...this.devices.values()],
      bundleIds: [...this.bundleIds.values()],
      certificates: [...this.certificates.values()],
      profiles: [...this.profiles.values()],
      capabilities: [...this.capabilities.values()],
    };
  }

  countRegistration(family: string): number {
    const n = (this.registeredThisYear.get(family) ?? 0) + 1;
    this.registeredThisYear.set(family, n);
    return n;
  }

  registrationsThisYear(family: string): number {
    return this.registeredThisYear.get(family) ?? 0;
  }

  /** Devices on the account of a platform family; each holds a slot of the yearly limit. */
  devicesInFamily(family: string): number {
    let n = 0;
    for (const d of this.devices.values()) if (d.platform === family) n++;
    return n;
  }

  findDeviceByUdid(udid: string): DeviceRecord | undefined {
    const wanted = udid.toLowerCase();
    for (const d of this.devices.values()) if (d.udid.toLowerCase() === wanted) return d;
    return undefined;
  }

  /** As on the portal: profiles holding a revoked certificate or a disabled device become INVALID. */
  invalidateProfiles(holds: (p: ProfileRecord) => boolean): void {
    for (const p of this.profiles.values()) if (holds(p)) p.profileState = 'INVALID';
  }

  removeCertificate(id: string): boolean {
    if (!this.certificates.delete(id)) return false;
    this.invalidateProfiles((p) => p.certificateIds.includes(id));
    return true;
  }
}

export class Store {
  private readonly accounts: Record<ApiKind, Account> = {
    'app-store-connect': new Account('app-store-connect'),
    enterprise: new Account('enterprise'),
  };

  account(api: ApiKind): Account {
    return this.accounts[api];
  }

  all(): Account[] {
    return Object.values(this.accounts);
  }
}
