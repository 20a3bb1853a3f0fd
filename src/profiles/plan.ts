/**
 * The decision ensure-profile and rotate-profile make for each bundle ID, as a pure function of what
 * Apple has and what the user asked: keep the profile of that name, create it, or delete and recreate
 * it, and why. Stale duplicates of the name are marked for removal.
 */
import { daysUntil } from '../core/time.js';
import { certificateValid } from '../apple/certificates.js';
import type { ProfileWithRelations } from '../apple/profiles.js';
import type { Device, ProfileType } from '../apple/types.js';
import type { ProfileTypeInfo } from './profile-types.js';

export type ReasonCode =
  | 'absent'
  | 'rotate'
  | 'expired'
  | 'expiring'
  | 'invalid'
  | 'missing-devices'
  | 'missing-certificate'
  | 'missing-entitlements'
  | 'other-type'
  | 'other-bundle-id'
  | 'duplicate';

export interface Reason {
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
}

export function formatDate(iso: string | undefined): string {
  return iso ? new Date(Date.parse(iso)).toISOString().slice(0, 10) : 'an unknown date';
}

function deviceLabel(d: Device): string {
  return `${d.attributes?.name ?? d.id} (${d.attributes?.udid ?? d.id})`;
}

/** Why this profile cannot be kept for this target; empty when it can. */
export function profileProblems(p: ProfileCandidate, target: ProfileTarget, input: PlanInput): Reason[] {
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
  const judged = named
    .map((p) => ({ p, problems: profileProblems(p, target, input) }))
    // The one that expires last is the one worth keeping.
    .sort((x, y) => Date.parse(y.p.profile.attributes?.expirationDate ?? '0') - Date.parse(x.p.profile.attributes?.expirationDate ?? '0'));
  const keeper = judged.find((j) => j.problems.length === 0);
  if (keeper) {
    const stale = named.filter((p) => p !== keeper.p);
    const reasons: Reason[] = stale.length > 0 ? [{ code: 'duplicate', text: `${stale.length} stale duplicate(s) of the name removed` }] : [];
    return { ...base, action: 'keep', reasons, keep: keeper.p, remove: stale };
  }
  const first = judged[0];
  const reasons = first ? first.problems : [];
  return { ...base, action: 'recreate', reasons, remove: [...named] };
}

export function planProfiles(input: PlanInput): ProfileDecision[] {
  return input.targets.map((t) => decide(t, input));
}

/** "expired on 2026-01-02; it lacks 1 enabled device(s): …" */
export function reasonText(d: ProfileDecision): string {
  if (d.action === 'keep' && d.reasons.length === 0) return 'valid, holds every device and a valid certificate';
  return d.reasons.map((r) => r.text).join('; ');
}
