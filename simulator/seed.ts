// sim.seed.*: puts resources on an account directly, as if they had been made on the portal earlier.
// Seeds skip Apple's checks (limits, PROCESSING) but not referential integrity.
import { newRsaKeyPair, rsaPublicKeyFromPem } from './ca.js';
import { addDefaultCapabilities, capabilitiesOf, putCapability } from './capabilities.js';
import { issueCertificateRecord } from './certificate-issuer.js';
import type { SimEnv } from './context.js';
import { YEAR_MS } from './ids.js';
import { makeProfileRecord } from './profile-factory.js';
import { defaultDeviceClass } from './resources/devices.js';
import { profileTypeInfo } from './signing-types.js';
import type { ApiKind, BundleIdRecord, DeviceRecord, SeedApi } from './types.js';

const DEFAULT_API: ApiKind = 'app-store-connect';

export function createSeeder(env: SimEnv): SeedApi {
  const account = (api: ApiKind | undefined) => env.store.account(api ?? DEFAULT_API);
  return {
    device(d) {
      const acc = account(d.api);
      if (acc.findDeviceByUdid(d.udid)) throw new Error(`seed.device: a device with UDID ${d.udid} already exists`);
      const platform = d.platform ?? 'IOS';
      const device: DeviceRecord = {
        api: acc.api,
        id: env.ids.next(),
        udid: d.udid,
        name: d.name ?? `Device ${d.udid.slice(0, 8)}`,
        platform,
        deviceClass: d.deviceClass ?? defaultDeviceClass(platform),
        model: d.model ?? null,
        status: d.status ?? 'ENABLED',
        addedDate: env.now(),
      };
      acc.devices.set(device.id, device);
      return device;
    },

    bundleId(b) {
      const acc = account(b.api);
      const taken = [...acc.bundleIds.values()].some((x) => x.identifier.toLowerCase() === b.identifier.toLowerCase());
      if (taken) throw new Error(`seed.bundleId: ${b.identifier} already exists`);
      const record: BundleIdRecord = {
        api: acc.api,
        id: env.ids.next(),
        identifier: b.identifier,
        name: b.name ?? b.identifier.replace(/[^A-Za-z0-9 ]+/g, ' ').trim(),
        platform: b.platform ?? 'IOS',
        seedId: env.teamId,
      };
      acc.bundleIds.set(record.id, record);
      addDefaultCapabilities(acc, record);
      return record;
    },

    certificate(c) {
      const acc = account(c.api);
      const privateKeyPem = c.privateKeyPem ?? newRsaKeyPair().privateKeyPem;
      const record = issueCertificateRecord(env, {
        api: acc.api,
        certificateType: c.certificateType,
        publicKey: rsaPublicKeyFromPem(privateKeyPem),
        ...(c.expiresAt ? { expiresAt: c.expiresAt } : {}),
      });
      acc.certificates.set(record.id, record);
      return { ...record, privateKeyPem };
    },

    profile(p) {
      const acc = account(p.api);
      const typeInfo = profileTypeInfo(p.profileType);
      if (!typeInfo) throw new Error(`seed.profile: unknown profileType ${p.profileType}`);
      const bundle = acc.bundleIds.get(p.bundleId);
      if (!bundle) throw new Error(`seed.profile: no bundle ID with id ${p.bundleId} on ${acc.api}`);
      const certificates = p.certificateIds.map((id) => {
        const c = acc.certificates.get(id);
        if (!c) throw new Error(`seed.profile: no certificate with id ${id} on ${acc.api}`);
        return c;
      });
      const devices = (p.deviceIds ?? []).map((id) => {
        const d = acc.devices.get(id);
        if (!d) throw new Error(`seed.profile: no device with id ${id} on ${acc.api}`);
        return d;
      });
      const now = env.now().getTime();
      const createdAt = p.expiresAt && p.expiresAt.getTime() < now ? new Date(p.expiresAt.getTime() - YEAR_MS) : undefined;
      const record = makeProfileRecord(env, {
        api: acc.api,
        name: p.name,
        profileType: p.profileType,
        typeInfo,
        bundle,
        certificates,
        devices,
        ...(p.expiresAt ? { expiresAt: p.expiresAt } : {}),
        ...(createdAt ? { createdAt } : {}),
        ...(p.state ? { state: p.state } : {}),
        capabilities: capabilitiesOf(acc, bundle.id),
      });
      acc.profiles.set(record.id, record);
      return record;
    },

    capability(c) {
      const acc = account(c.api);
      if (!acc.bundleIds.has(c.bundleId)) throw new Error(`seed.capability: no bundle ID with id ${c.bundleId} on ${acc.api}`);
      return putCapability(acc, c.bundleId, c.capabilityType, c.settings ?? []);
    },
  };
}
