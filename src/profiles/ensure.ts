/**
 * The work ensure-profile and rotate-profile share: read what Apple has in as few requests as it
 * allows, plan, apply (unless dry-run), install, and report. Requests, in order:
 *  1. profiles by name, with their bundle ID and certificates included, in parallel with the devices of
 *     the platform (device-bound types only). The devices a profile holds are read from its content's
 *     ProvisionedDevices, which (unlike Apple's include, capped at 50) lists them all;
 *  2. only when something must be created (or a profile is expiring): bundle IDs not already known
 *     from step 1, and the certificates that fit, in parallel. A profile whose only problem is its
 *     expiry is then kept when no fitting certificate outlives it by more than a day (a profile cannot
 *     outlive its certificate), with a warning naming the certificate to renew;
 *  3. the deletes (by id, only what the plan replaces) and creates; a create Apple refuses because
 *     another run made the profile meanwhile re-reads the name and adopts that profile if it passes the
 *     checks a kept one must (apply.ts).
 * So the warm path (nothing to change) is one request, or two for device-bound types.
 */
import { closeIdentifiers, exactBundleId, listBundleIds } from '../apple/bundle-ids.js';
import { certificateValid, listCertificates } from '../apple/certificates.js';
import { listDevices } from '../apple/devices.js';
import { getProfile, listProfiles, profileRelated, type ProfileWithRelations } from '../apple/profiles.js';
import type { BundleId, Certificate, Device, Profile } from '../apple/types.js';
import { ConfigError } from '../core/errors.js';
import { DAY_MS } from '../core/time.js';
import type { AppleHttpClient } from '../core/http.js';
import type { Logger } from '../core/log.js';
import { applyProfileDecisions, type AppliedProfile, type Reread } from './apply.js';
import { certificateTypesFor, chooseCertificates } from './certificates.js';
import { installDirs, installProfile, ProfileContentError, readProfileInfo, removeInstalledProfile, type ProfileFileInfo } from './install.js';
import { listBundleIdsWithCapabilities, type BundleIdWithCapabilities } from '../apple/capabilities.js';
import { namedList, PORTAL_IDENTIFIERS } from '../entitlements/capabilities.js';
import { entitlementGaps, type EntitlementGap } from '../entitlements/grants.js';
import { loadEntitlements, type TargetEntitlements } from '../entitlements/load.js';
import {
  certificateLabel,
  expiryOnly,
  formatDate,
  judgeProfiles,
  planProfiles,
  reasonText,
  selectDevices,
  type DeviceSelection,
  type PlanInput,
  type ProfileCandidate,
  type ProfileDecision,
} from './plan.js';
import { reportFor, type ProfileReport } from './report.js';
import { profileTypeInfo } from './profile-types.js';
import type { ApiKind } from '../apple/api.js';
import type { ProfileType } from '../apple/types.js';

/** Resolves identifiers to bundle IDs by exact match; an unknown one is one sentence naming close matches. */
async function resolveBundleIds(http: AppleHttpClient, identifiers: readonly string[]): Promise<Map<string, BundleId>> {
  const out = new Map<string, BundleId>();
  if (identifiers.length === 0) return out;
  const listed = await listBundleIds(http, identifiers);
  const missing: string[] = [];
  for (const id of identifiers) {
    const b = exactBundleId(listed, id);
    if (b) out.set(id, b);
    else missing.push(id);
  }
  if (missing.length > 0) {
    const all = (await listBundleIds(http)).map((b) => b.attributes?.identifier ?? '').filter((s) => s !== '');
    const parts = missing.map((id) => {
      const close = closeIdentifiers([...all, ...listed.map((b) => b.attributes?.identifier ?? '')], id);
      return `'${id}'${close.length > 0 ? ` (close matches: ${close.join(', ')})` : ''}`;
    });
    throw new ConfigError(
      `Bundle ID ${parts.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not registered on this team (matched exactly); correct bundle-id, or register the identifier under Certificates, Identifiers & Profiles first.`,
    );
  }
  return out;
}

function devicesNeeded(devices: DeviceSelection | undefined, profileType: string, platform: string): void {
  if (!devices || devices.enabled.length > 0) return;
  const processing = devices.processing.length > 0 ? ` (${devices.processing.length} are still PROCESSING: Apple enables them within 24 to 72 hours)` : '';
  throw new ConfigError(
    `The account has no ENABLED ${platform} device${processing}, and a ${profileType} profile must hold at least one; register devices first (register-devices).`,
  );
}

function expiringWithin(iso: string | undefined, now: Date, days: number): boolean {
  return !!iso && Date.parse(iso) - now.getTime() < days * DAY_MS;
}

/** How messages name a profile: `profile 'App Dev' (9X8Y7Z)`. */
function profileLabel(p: Profile): string {
  return `profile '${p.attributes?.name ?? ''}' (${p.id})`;
}

/** What a listed profile's content says, when it has readable content (else Apple is asked where needed). */
function contentInfo(p: ProfileWithRelations): ProfileFileInfo | undefined {
  const content = p.profile.attributes?.profileContent;
  if (!content) return undefined;
  try {
    return readProfileInfo(Buffer.from(content, 'base64'), profileLabel(p.profile));
  } catch (err) {
    if (!(err instanceof ProfileContentError)) throw err;
    return undefined;
  }
}

/** The UDIDs a profile holds: from its content, or (when that lists none) from Apple's relationship. */
async function heldUdids(http: AppleHttpClient, p: ProfileWithRelations, info: ProfileFileInfo | undefined): Promise<string[]> {
  if (info?.provisionedDevices) return info.provisionedDevices;
  return (await profileRelated<Device>(http, p.profile.id, 'devices')).map((d) => d.attributes?.udid ?? '');
}

/**
 * Fails before any write when a bundle ID lacks a capability its entitlements need: a new profile could
 * not grant it either. One sentence naming each entitlement and the fix.
 */
function requireCapabilities(asked: ReadonlyMap<string, TargetEntitlements>, listed: readonly BundleIdWithCapabilities[]): void {
  const lacking: string[] = [];
  for (const [identifier, t] of asked) {
    const found = listed.find((l) => l.bundleId.attributes?.identifier === identifier);
    if (!found) continue; // An unregistered bundle ID gets its own sentence when the profile is made.
    const on = new Set(found.capabilities.map((c) => c.attributes?.capabilityType));
    for (const w of t.translation.capabilities) if (!on.has(w.type)) lacking.push(`${identifier} lacks ${w.type}, which ${w.because.join(' and ')} needs`);
  }
  if (lacking.length === 0) return;
  throw new ConfigError(
    `The profile cannot grant what the entitlements ask for: ${lacking.join('; ')}; run ensure-bundle-id with the same entitlements first (provision does it when given entitlements), or enable the capability on the portal (${PORTAL_IDENTIFIERS}).`,
  );
}

function gapsOf(app: TargetEntitlements, info: ProfileFileInfo, identifier: string): EntitlementGap[] {
  return entitlementGaps(app.entitlements, {
    entitlements: info.entitlements,
    teamId: info.teamId ?? '',
    appIdPrefix: info.appIdPrefix ?? info.teamId ?? '',
    identifier,
  });
}

/** Warns where a profile carries a key but not every value the app asks (identifiers only the portal associates). */
function warnValueGaps(log: Logger, name: string, gaps: readonly EntitlementGap[]): void {
  for (const g of gaps.filter((x) => x.kind === 'values')) {
    log.warning(
      `Profile '${name}' grants ${g.key} but not ${g.values.length > 0 ? namedList(g.values) : 'the value the entitlements ask for'}; associate them with the bundle ID on the portal (${PORTAL_IDENTIFIERS}): Apple then invalidates the profile and the next run recreates it.`,
      'Entitlement not granted',
    );
  }
}

/**
 * The profiles of these names, with the UDIDs each holds (device-bound types). Apple's filters take
 * comma-separated lists, so a name with a comma is found through its type instead.
 */
async function readCandidates(
  http: AppleHttpClient,
  names: readonly string[],
  profileType: ProfileType,
  devicePlatform: boolean,
  missingEntitlements: (p: ProfileWithRelations, info: ProfileFileInfo | undefined) => string[],
): Promise<ProfileCandidate[]> {
  const byName = names.every((n) => !n.includes(','));
  const listed = await listProfiles(http, { ...(byName ? { names } : { types: [profileType] }), withDevices: false });
  const wanted = new Set(names);
  return Promise.all(
    listed
      .filter((p) => wanted.has(p.profile.attributes?.name ?? ''))
      .map(async (p) => {
        const info = contentInfo(p);
        return { ...p, deviceUdids: devicePlatform ? await heldUdids(http, p, info) : [], missingEntitlements: missingEntitlements(p, info) };
      }),
  );
}

/** What ensure-profile and rotate-profile ask for. */
export interface EnsureProfilesRequest {
  api: ApiKind;
  /** Bundle identifiers with the profile name each gets. */
  targets: { identifier: string; name: string }[];
  profileType: ProfileType;
  certificateIds: string[] | undefined;
  minDaysValid: number;
  install: boolean;
  profilesDir: string | undefined;
  dryRun: boolean;
  /** `.entitlements` files per bundle identifier ([] or absent: not checked). */
  entitlements: ReadonlyMap<string, readonly string[]>;
}

export interface EnsureProfilesResult {
  /** One per bundle ID, in the order asked. */
  reports: ProfileReport[];
  /** Lines for the job summary (e.g. devices left out while PROCESSING). */
  notes: string[];
}

interface Finished {
  profile: Profile;
  certificates: Certificate[];
  removed: Profile[];
  created: boolean;
}

export async function ensureProfiles(
  http: AppleHttpClient,
  i: EnsureProfilesRequest,
  log: Logger,
  o: { rotate: boolean; now: Date },
): Promise<EnsureProfilesResult> {
  const info = profileTypeInfo(i.profileType);
  const platform = info.devicePlatform;
  const asked = new Map<string, TargetEntitlements>();
  for (const t of i.targets) {
    const files = i.entitlements.get(t.identifier) ?? [];
    if (files.length > 0) asked.set(t.identifier, await loadEntitlements(files, t.identifier));
  }
  const targetOf = new Map(i.targets.map((t) => [t.name, t]));
  /** The entitlement keys a profile lacks of what its app's entitlements ask for. */
  const missingFor = (p: ProfileWithRelations, info: ProfileFileInfo | undefined): string[] => {
    const target = targetOf.get(p.profile.attributes?.name ?? '');
    const app = target ? asked.get(target.identifier) : undefined;
    return app && info && target
      ? gapsOf(app, info, target.identifier)
          .filter((g) => g.kind === 'missing')
          .map((g) => g.key)
      : [];
  };
  const [existing, accountDevices, capabilities] = await Promise.all([
    readCandidates(
      http,
      i.targets.map((t) => t.name),
      i.profileType,
      !!platform,
      missingFor,
    ),
    platform ? listDevices(http, { platform: [platform] }) : Promise.resolve(undefined),
    asked.size > 0 ? listBundleIdsWithCapabilities(http, [...asked.keys()]) : Promise.resolve([]),
  ]);
  requireCapabilities(asked, capabilities);
  const devices = accountDevices ? selectDevices(accountDevices, info) : undefined;
  const planInput: PlanInput = {
    targets: i.targets,
    profileType: i.profileType,
    info,
    existing,
    ...(devices ? { devices } : {}),
    ...(i.certificateIds ? { certificateIds: i.certificateIds } : {}),
    now: o.now,
    minDaysValid: i.minDaysValid,
    rotate: o.rotate,
  };
  let decisions = planProfiles(planInput);

  let chosen: Certificate[] = [];
  let bundles = new Map<string, BundleId>();
  if (decisions.some((d) => d.action !== 'keep')) {
    const [b, certs] = await Promise.all([
      resolveBundleIds(
        http,
        decisions.filter((d) => d.action !== 'keep' && !d.bundleIdId).map((d) => d.identifier),
      ),
      listCertificates(http, i.certificateIds ? { ids: i.certificateIds } : { types: certificateTypesFor(info, i.api) }),
    ]);
    bundles = b;
    chosen = chooseCertificates(certs, {
      profileType: i.profileType,
      info,
      api: i.api,
      now: o.now,
      ...(i.certificateIds ? { ids: i.certificateIds } : {}),
    });
    // Recreating for expiry helps only when a new profile would expire later than the current one.
    if (decisions.some(expiryOnly)) decisions = planProfiles({ ...planInput, replacementCertificates: chosen });
    if (platform && decisions.some((d) => d.action !== 'keep')) devicesNeeded(devices, i.profileType, platform);
  }
  for (const d of decisions) log.info(`${d.identifier}: ${d.action} '${d.name}'${d.reasons.length > 0 ? ` (${d.reasons.map((r) => r.text).join('; ')})` : ''}`);

  /** After a create Apple refused or lost: the profiles of the name now, judged as the plan judges a kept one. */
  const reread = async (d: ProfileDecision): Promise<Reread> => {
    const found = await readCandidates(http, [d.name], i.profileType, !!platform, missingFor);
    const j = judgeProfiles(found, d, { ...planInput, existing: found, rotate: false, replacementCertificates: chosen });
    return { usable: j.keeper, found: found.length, problems: j.keeper ? '' : j.reasons.map((r) => r.text).join('; ') };
  };

  const reports = decisions.map((d) => reportFor(d, i.profileType));
  let finished: (Finished | undefined)[];
  if (i.dryRun) {
    finished = decisions.map((d) => (d.keep ? { profile: d.keep.profile, certificates: d.keep.certificates, removed: [], created: false } : undefined));
  } else {
    const applied: AppliedProfile[] = await applyProfileDecisions(http, decisions, {
      log,
      spec: (d: ProfileDecision) => ({
        name: d.name,
        profileType: i.profileType,
        bundleIdId: d.bundleIdId ?? bundles.get(d.identifier)?.id ?? '',
        certificateIds: chosen.map((c) => c.id),
        ...(devices ? { deviceIds: devices.enabled.map((x) => x.id) } : {}),
      }),
      reread,
    });
    finished = applied.map((a, n) => {
      if (a.adopted) (reports[n] as ProfileReport).reason = `${reasonText(a.decision)}; another run created it at the same time, and this run uses that one`;
      return {
        profile: a.profile,
        certificates: a.created ? chosen : (a.adopted?.certificates ?? a.decision.keep?.certificates ?? []),
        removed: a.removed,
        created: a.created,
      };
    });
  }

  const dirs = i.install ? installDirs(i.profilesDir) : [];
  const warned = new Set<string>();
  const notes: string[] = [];
  for (const [n, f] of finished.entries()) {
    const report = reports[n] as ProfileReport;
    const decision = decisions[n] as ProfileDecision;
    if (o.rotate) report.previousUuid = decision.remove[0]?.profile.attributes?.uuid ?? '';
    if (!f) continue;
    const profile = f.profile.attributes?.profileContent ? f.profile : await getProfile(http, f.profile.id);
    const content = profile.attributes?.profileContent ?? '';
    const der = Buffer.from(content, 'base64');
    const file = readProfileInfo(der, profileLabel(profile));
    const app = asked.get(report.bundleId);
    if (app) warnValueGaps(log, report.profileName, gapsOf(app, file, report.bundleId));
    const expires = profile.attributes?.expirationDate ?? file.expirationDate?.toISOString();
    Object.assign(report, {
      profileId: profile.id,
      profileUuid: profile.attributes?.uuid ?? file.uuid,
      expirationDate: expires ? new Date(Date.parse(expires)).toISOString() : '',
      teamId: file.teamId ?? '',
      created: f.created,
      content,
    });
    if (!i.dryRun && i.install) {
      for (const old of f.removed) {
        const uuid = old.attributes?.uuid;
        if (uuid && uuid !== file.uuid) for (const gone of await removeInstalledProfile(uuid, dirs)) log.info(`Removed ${gone}.`);
      }
      report.paths = await installProfile(der, file, dirs);
      report.profilePath = report.paths[0] ?? '';
      log.info(`Installed ${report.paths.join(' and ')}.`);
    }
    const bound = decision.renewCertificate;
    if (bound) {
      warned.add(bound.id);
      log.warning(
        `Profile '${report.profileName}' expires on ${formatDate(expires)}, within min-days-valid (${i.minDaysValid} days), and was kept: a profile cannot outlive its certificate, and certificate ${certificateLabel(bound)} expires on ${formatDate(bound.attributes?.expirationDate)}; renew that certificate (download-certificate with create-if-missing, or Certificates, Identifiers & Profiles) and run again.`,
        'Certificate needs renewing',
      );
    } else if (expiringWithin(expires, o.now, i.minDaysValid)) {
      log.warning(
        `Profile '${report.profileName}' expires on ${formatDate(expires)}, within min-days-valid (${i.minDaysValid} days): a profile cannot outlive its certificate, so renew the certificate and run again.`,
        'Profile expires soon',
      );
    }
    for (const c of f.certificates) {
      const at = c.attributes?.expirationDate;
      if (warned.has(c.id) || !certificateValid(c, o.now) || !expiringWithin(at, o.now, i.minDaysValid)) continue;
      warned.add(c.id);
      log.warning(
        `Certificate ${c.attributes?.name ?? c.id} (${c.attributes?.certificateType ?? ''}, ${c.id}) that profile '${report.profileName}' holds expires on ${formatDate(at)}, within min-days-valid (${i.minDaysValid} days); create a new one before then.`,
        'Certificate expires soon',
      );
    }
  }
  if (devices && devices.processing.length > 0) {
    const list = devices.processing.map((d) => `${d.attributes?.name ?? d.id} (${d.attributes?.udid ?? ''})`).join(', ');
    const text = `${devices.processing.length} device(s) are PROCESSING and left out of the profile until Apple enables them (24 to 72 hours after registration): ${list}. Run again then.`;
    log.notice(text, 'Devices processing');
    notes.push(text);
  }
  return { reports, notes };
}
