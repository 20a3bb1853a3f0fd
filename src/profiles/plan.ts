/**
 * The decision ensure-profile and rotate-profile make for each bundle ID, as a pure function of what
 * Apple has and what the user asked: keep the profile of that name, create it, or delete and recreate
 * it, and why. Stale duplicates of the name are marked for removal.
 */
import { DAY_MS, daysUntil } from '../core/time.js';
import { certificateValid } from '../apple/certificates.js';
import type { ProfileWithRelations } from '../apple/profiles.js';
import type { Certificate, Device, ProfileType } from '../apple/types.js';
import type { ProfileTypeInfo } from './profile-types.js';

type ReasonCode =
  | 'absent'
  | 'rotate'
  | 'expired'
  | 'expiring'
  | 'certificate-expiring'
  | 'invalid'
  | 'missing-devices'
  | 'missing-certificate'
  | 'missing-entitlements'
  | 'other-type'
  | 'other-bundle-id'
  | 'duplicate';

interface Reason {
  code: ReasonCode;
  text: string;
}

export interface ProfileTarget {
  /** The bundle identifier, e.g. com.example.app. */
  identifier: string;
  /** The profile's name. */
  name: string;
}

/**
 * A listed profile with the UDIDs of the devices it holds (device-bound types; [] otherwise) and the
 * entitlement keys the app asks for that it does not carry at all (when entitlements are given).
 */
export type ProfileCandidate = ProfileWithRelations & { deviceUdids: readonly string[]; missingEntitlements?: readonly string[] };

export interface ProfileDecision extends ProfileTarget {
  action: 'keep' | 'create' | 'recreate';
  reasons: Reason[];
  /** The profile that stays (keep only). */
  keep?: ProfileCandidate;
  /** Profiles of this name to delete: the one being replaced and any stale duplicates. */
  remove: ProfileCandidate[];
  /** The bundle ID's resource id, when a listed profile already names it. */
  bundleIdId?: string;
  /** Kept though expiring: the certificate that keeps any new profile from expiring later (renew it). */
  renewCertificate?: Certificate;
}

export interface DeviceSelection {
  /** ENABLED devices of the platform: what a device-bound profile must hold. */
  enabled: Device[];
  /** PROCESSING devices: left out until Apple enables them. */
  processing: Device[];
}

export function selectDevices(devices: readonly Device[], info: ProfileTypeInfo): DeviceSelection {
  const ofPlatform = devices.filter((d) => d.attributes?.platform === info.devicePlatform || d.attributes?.platform === 'UNIVERSAL');
  return {
    enabled: ofPlatform.filter((d) => d.attributes?.status === 'ENABLED'),
    processing: ofPlatform.filter((d) => d.attributes?.status === 'PROCESSING'),
  };
}

export interface PlanInput {
  targets: readonly ProfileTarget[];
  profileType: ProfileType;
  info: ProfileTypeInfo;
  /** Profiles listed for these names (any type), with their relations. */
  existing: readonly ProfileCandidate[];
  /** For device-bound types: the devices the profile must hold. */
  devices?: DeviceSelection;
  /** certificate-ids, when given: the profile must hold each of them. */
  certificateIds?: readonly string[];
  now: Date;
  minDaysValid: number;
  /** rotate-profile: always recreate. */
  rotate: boolean;
  /**
   * The certificates a profile created now would hold, once they are known. A profile cannot outlive
   * its certificates, so a profile whose only problem is its expiry is kept when none of these would
   * let a new one expire more than a day later. Unknown: such a profile is planned for recreation.
   */
  replacementCertificates?: readonly Certificate[];
}

export function formatDate(iso: string | undefined): string {
  return iso ? new Date(Date.parse(iso)).toISOString().slice(0, 10) : 'an unknown date';
}

function deviceLabel(d: Device): string {
  return `${d.attributes?.name ?? d.id} (${d.attributes?.udid ?? d.id})`;
}

/** Why this profile cannot be kept for this target; empty when it can. */
function profileProblems(p: ProfileCandidate, target: ProfileTarget, input: PlanInput): Reason[] {
  const out: Reason[] = [];
  const a = p.profile.attributes;
  if (a?.profileType !== input.profileType) out.push({ code: 'other-type', text: `it is a ${a?.profileType ?? 'different'} profile` });
  const identifier = p.bundleId?.attributes?.identifier;
  if (identifier !== target.identifier) out.push({ code: 'other-bundle-id', text: `it is for ${identifier ?? 'another bundle ID'}` });
  const left = daysUntil(a?.expirationDate, input.now);
  if (left === undefined || left <= 0 || a?.profileState === 'EXPIRED') {
    out.push({ code: 'expired', text: `expired on ${formatDate(a?.expirationDate)}` });
  } else if (a?.profileState !== 'ACTIVE') {
    out.push({ code: 'invalid', text: `Apple marks it ${a?.profileState ?? 'not ACTIVE'}` });
  } else if (left < input.minDaysValid) {
    out.push({ code: 'expiring', text: `expires on ${formatDate(a.expirationDate)}, in ${Math.floor(left)} days (min-days-valid ${input.minDaysValid})` });
  }
  const fitting = p.certificates.filter((c) => c.attributes?.certificateType && input.info.certificateTypes.includes(c.attributes.certificateType));
  if (!fitting.some((c) => certificateValid(c, input.now))) {
    out.push({ code: 'missing-certificate', text: `it holds no valid ${input.info.certificateTypes.join(' or ')} certificate` });
  } else if (input.certificateIds) {
    const held = new Set(p.certificates.map((c) => c.id));
    const lacking = input.certificateIds.filter((id) => !held.has(id));
    if (lacking.length > 0) out.push({ code: 'missing-certificate', text: `it lacks certificate ${lacking.join(', ')}` });
  }
  const missing = p.missingEntitlements ?? [];
  if (missing.length > 0) {
    out.push({ code: 'missing-entitlements', text: `it lacks entitlement(s) ${missing.join(', ')} (made before the capability was enabled)` });
  }
  if (input.devices) {
    const held = new Set(p.deviceUdids.map((u) => u.toLowerCase()));
    const lacking = input.devices.enabled.filter((d) => !held.has((d.attributes?.udid ?? '').toLowerCase()));
    if (lacking.length > 0) {
      const names = lacking.slice(0, 5).map(deviceLabel).join(', ');
      out.push({ code: 'missing-devices', text: `it lacks ${lacking.length} enabled device(s): ${names}${lacking.length > 5 ? ', …' : ''}` });
    }
  }
  return out;
}

/**
 * The certificate that bounds any new profile's expiry (the earliest-expiring one it would hold), when
 * that expiry would not come more than a day after `p`'s: recreating `p` would then only change its UUID.
 */
function boundingCertificate(p: ProfileCandidate, input: PlanInput): Certificate | undefined {
  const certs = input.replacementCertificates;
  if (!certs || certs.length === 0) return undefined;
  const expiry = (c: Certificate): number => Date.parse(c.attributes?.expirationDate ?? '0');
  const earliest = certs.reduce((a, b) => (expiry(b) < expiry(a) ? b : a));
  const current = Date.parse(p.profile.attributes?.expirationDate ?? '0');
  return expiry(earliest) <= current + DAY_MS ? earliest : undefined;
}

export interface Judgement {
  /** The profile of the name that may stay. */
  keeper?: ProfileCandidate;
  /** Why the keeper stays despite a problem, or why none can stay (the best candidate's problems). */
  reasons: Reason[];
  /** Set when the keeper stays though expiring: the certificate to renew. */
  renewCertificate?: Certificate;
}

/**
 * Which of the profiles of a target's name may stay: one that passes every check (the one expiring
 * last), or else the one expiring last when its only problem is an expiry a new profile could not
 * improve on. Used by the plan and when adopting a profile another run created at the same time.
 */
export function judgeProfiles(named: readonly ProfileCandidate[], target: ProfileTarget, input: PlanInput): Judgement {
  const judged = named
    .map((p) => ({ p, problems: profileProblems(p, target, input) }))
    // The one that expires last is the one worth keeping.
    .sort((x, y) => Date.parse(y.p.profile.attributes?.expirationDate ?? '0') - Date.parse(x.p.profile.attributes?.expirationDate ?? '0'));
  const sound = judged.find((j) => j.problems.length === 0);
  if (sound) return { keeper: sound.p, reasons: [] };
  const first = judged[0];
  if (!first) return { reasons: [] };
  const bound = first.problems.every((r) => r.code === 'expiring') ? boundingCertificate(first.p, input) : undefined;
  if (!bound) return { reasons: first.problems };
  const text = `${first.problems.map((r) => r.text).join('; ')}, but kept: a new profile could not outlive certificate ${certificateLabel(bound)}, which expires on ${formatDate(bound.attributes?.expirationDate)}`;
  return { keeper: first.p, reasons: [{ code: 'certificate-expiring', text }], renewCertificate: bound };
}

/** "Apple Distribution: Example (ABC123)" or the id. */
export function certificateLabel(c: Certificate): string {
  return `${c.attributes?.name ?? c.attributes?.displayName ?? c.id} (${c.attributes?.certificateType ?? 'certificate'} ${c.id})`;
}

function decide(target: ProfileTarget, input: PlanInput): ProfileDecision {
  const named = input.existing.filter((p) => p.profile.attributes?.name === target.name);
  const ours = named.find((p) => p.bundleId?.attributes?.identifier === target.identifier);
  const bundleIdId = ours?.bundleId?.id;
  const base = { ...target, ...(bundleIdId ? { bundleIdId } : {}) };
  if (named.length === 0) {
    return { ...base, action: 'create', reasons: [{ code: 'absent', text: 'no profile of this name exists' }], remove: [] };
  }
  if (input.rotate) {
    return { ...base, action: 'recreate', reasons: [{ code: 'rotate', text: 'rotation replaces it with a fresh profile' }], remove: [...named] };
  }
  const { keeper, reasons, renewCertificate } = judgeProfiles(named, target, input);
  if (keeper) {
    const stale = named.filter((p) => p !== keeper);
    const all: Reason[] = [
      ...reasons,
      ...(stale.length > 0 ? [{ code: 'duplicate' as const, text: `${stale.length} stale duplicate(s) of the name removed` }] : []),
    ];
    return { ...base, action: 'keep', reasons: all, keep: keeper, remove: stale, ...(renewCertificate ? { renewCertificate } : {}) };
  }
  return { ...base, action: 'recreate', reasons, remove: [...named] };
}

/** A recreate whose only reason is the profile's expiry: whether it helps depends on the certificates. */
export function expiryOnly(d: ProfileDecision): boolean {
  return d.action === 'recreate' && d.reasons.length > 0 && d.reasons.every((r) => r.code === 'expiring');
}

export function planProfiles(input: PlanInput): ProfileDecision[] {
  return input.targets.map((t) => decide(t, input));
}

/** "expired on 2026-01-02; it lacks 1 enabled device(s): …" */
export function reasonText(d: ProfileDecision): string {
  if (d.action === 'keep' && d.reasons.length === 0) return 'valid, holds every device and a valid certificate';
  return d.reasons.map((r) => r.text).join('; ');
}
