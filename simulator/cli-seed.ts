// The --seed file of the command line: resources to put on the accounts before serving.
// Profiles name their bundle ID by identifier, certificates by `ref` (or id) and devices by UDID.
import type { BusinessSimulator } from './business/index.js';
import type { ApiKind, BundleIdPlatform, DeviceStatus, ProfileState, SeedApi, Simulator, SimulatorOptions } from './types.js';

export interface SeedFile {
  options?: Pick<
    SimulatorOptions,
    | 'deviceYearlyLimit'
    | 'immediateDevices'
    | 'rateLimitPerHour'
    | 'teamId'
    | 'teamName'
    | 'certificateLimitPerType'
    | 'certificateLimits'
    | 'allowDeveloperIdCertificateCreation'
    | 'rejectedCertificateTypeFilters'
    | 'defaultIncludeLimit'
  >;
  devices?: { udid: string; name?: string; platform?: 'IOS' | 'MAC_OS'; status?: DeviceStatus; deviceClass?: string; model?: string | null; api?: ApiKind }[];
  bundleIds?: { identifier: string; name?: string; platform?: BundleIdPlatform; api?: ApiKind }[];
  certificates?: { ref?: string; certificateType: string; expiresAt?: string; privateKeyPem?: string; api?: ApiKind }[];
  profiles?: {
    name: string;
    profileType: string;
    bundleId: string;
    certificates: string[];
    devices?: string[];
    expiresAt?: string;
    state?: ProfileState;
    api?: ApiKind;
  }[];
  /** The Apple Business organisation: device management services, and devices (assigned to a service by its name). */
  business?: {
    mdmServers?: { serverName: string; serverType?: string }[];
    devices?: (Partial<Record<BusinessDeviceText, string>> & { serialNumber: string; assignedServer?: string })[];
  };
}

/** The text fields of an org device a seed file may set. */
type BusinessDeviceText = 'productFamily' | 'productType' | 'deviceModel' | 'color' | 'deviceCapacity' | 'partNumber' | 'orderNumber' | 'purchaseSourceType';

export interface SeededCertificate {
  ref: string;
  api: ApiKind;
  id: string;
  certificateType: string;
  privateKeyPem: string;
}

const SECTIONS = ['options', 'devices', 'bundleIds', 'certificates', 'profiles', 'business'] as const;
const REQUIRED: Record<string, readonly string[]> = {
  devices: ['udid'],
  bundleIds: ['identifier'],
  certificates: ['certificateType'],
  profiles: ['name', 'profileType', 'bundleId', 'certificates'],
};

/** Parses a seed file, checking its shape so that mistakes are reported by name rather than as a crash. */
export function parseSeedFile(text: string, where: string): SeedFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`${where} is not JSON: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${where} must hold a JSON object`);
  const file = parsed as Record<string, unknown>;
  for (const k of Object.keys(file)) {
    if (!(SECTIONS as readonly string[]).includes(k)) throw new Error(`${where}: unknown section '${k}' (sections: ${SECTIONS.join(', ')})`);
  }
  for (const [section, fields] of Object.entries(REQUIRED)) checkItems(where, section, file[section], fields);
  const business = file['business'];
  if (business !== undefined) {
    if (typeof business !== 'object' || business === null || Array.isArray(business)) throw new Error(`${where}: 'business' must be an object`);
    const b = business as Record<string, unknown>;
    checkItems(where, 'business.mdmServers', b['mdmServers'], ['serverName']);
    checkItems(where, 'business.devices', b['devices'], ['serialNumber']);
  }
  return file as SeedFile;
}

/** An optional array whose every item has the required fields. */
function checkItems(where: string, section: string, list: unknown, fields: readonly string[]): void {
  if (list === undefined) return;
  if (!Array.isArray(list)) throw new Error(`${where}: '${section}' must be an array`);
  list.forEach((item: unknown, i) => {
    const missing = fields.filter((f) => typeof item !== 'object' || item === null || !(f in item));
    if (missing.length) throw new Error(`${where}: ${section}[${i}] lacks ${missing.join(', ')}`);
  });
}

function date(v: string | undefined, what: string): Date | undefined {
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new Error(`seed file: ${what} '${v}' is not a date`);
  return d;
}

export function applySeed(sim: Simulator, file: SeedFile): SeededCertificate[] {
  const seed: SeedApi = sim.seed;
  const certs: SeededCertificate[] = [];
  for (const d of file.devices ?? []) seed.device(d);
  for (const b of file.bundleIds ?? []) seed.bundleId(b);
  (file.certificates ?? []).forEach((c, i) => {
    const expiresAt = date(c.expiresAt, 'certificates[].expiresAt');
    const rec = seed.certificate({
      certificateType: c.certificateType,
      ...(expiresAt ? { expiresAt } : {}),
      ...(c.privateKeyPem ? { privateKeyPem: c.privateKeyPem } : {}),
      ...(c.api ? { api: c.api } : {}),
    });
    certs.push({ ref: c.ref ?? `certificate-${i + 1}`, api: rec.api, id: rec.id, certificateType: rec.certificateType, privateKeyPem: rec.privateKeyPem });
  });
  for (const p of file.profiles ?? []) {
    const api = p.api ?? 'app-store-connect';
    const state = sim.state(api);
    const bundle = state.bundleIds.find((b) => b.identifier === p.bundleId || b.id === p.bundleId);
    if (!bundle) throw new Error(`seed file: profile '${p.name}' names bundle ID '${p.bundleId}', which is not seeded on ${api}`);
    const certificateIds = p.certificates.map((ref) => {
      const c = certs.find((x) => x.api === api && (x.ref === ref || x.id === ref));
      if (!c) throw new Error(`seed file: profile '${p.name}' names certificate '${ref}', which is not seeded on ${api}`);
      return c.id;
    });
    const deviceIds = (p.devices ?? []).map((udid) => {
      const d = state.devices.find((x) => x.udid.toLowerCase() === udid.toLowerCase() || x.id === udid);
      if (!d) throw new Error(`seed file: profile '${p.name}' names device '${udid}', which is not seeded on ${api}`);
      return d.id;
    });
    const expiresAt = date(p.expiresAt, 'profiles[].expiresAt');
    seed.profile({
      name: p.name,
      profileType: p.profileType,
      bundleId: bundle.id,
      certificateIds,
      deviceIds,
      api,
      ...(expiresAt ? { expiresAt } : {}),
      ...(p.state ? { state: p.state } : {}),
    });
  }
  return certs;
}

export function applyBusinessSeed(business: BusinessSimulator, file: SeedFile): void {
  const servers = new Map<string, string>();
  for (const s of file.business?.mdmServers ?? []) servers.set(s.serverName, business.seed.mdmServer(s).id);
  for (const { assignedServer, ...d } of file.business?.devices ?? []) {
    const assignedServerId = assignedServer === undefined ? null : servers.get(assignedServer);
    if (assignedServerId === undefined) throw new Error(`seed file: business device '${d.serialNumber}' names server '${assignedServer}', which is not seeded`);
    business.seed.device({ ...d, assignedServerId });
  }
}
