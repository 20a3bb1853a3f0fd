/**
 * What needs attention on an account, as a pure function of what Apple has and the clock: which
 * profiles can no longer be used (expired by date whatever their state, INVALID, older duplicates of a
 * name), which are in use and expire soon (themselves or through a certificate they hold), which
 * certificates expire, how many of each type are current, and which devices wait or are switched off.
 * signing-report reports all of it; prune-profiles deletes what can no longer be used.
 */
import { certificateValid } from '../apple/certificates.js';
import type { ProfileWithRelations } from '../apple/profiles.js';
import type { Certificate, Device } from '../apple/types.js';
import { daysUntil } from '../core/time.js';
import { formatDate } from '../profiles/plan.js';

/** Why a profile needs attention, most pressing kind first. */
export type ProfileProblem = 'expired' | 'invalid' | 'duplicate' | 'expiring' | 'certificate-expiring';

/** The problems prune-profiles deletes a profile for: it can no longer be used. */
export const UNUSABLE: readonly ProfileProblem[] = ['expired', 'invalid', 'duplicate'];

export interface ProfileJudgement {
  item: ProfileWithRelations;
  /** Valid (ACTIVE, not past its date) and the newest of its name: what a build signs with. */
  inUse: boolean;
  /** Empty when nothing needs doing; the first is the one it is reported under. */
  problems: { problem: ProfileProblem; text: string; /** The certificate that bounds its life, when one does. */ certificate?: Certificate }[];
  /** Days until the profile expires (fractional, negative once past); undefined without a date. */
  daysLeft: number | undefined;
}

export interface CertificateJudgement {
  certificate: Certificate;
  /** expired also covers deactivated certificates: neither signs anything. */
  status: 'expired' | 'expiring' | 'valid';
  daysLeft: number | undefined;
}

export interface SlotUse {
  certificateType: string;
  /** Certificates of the type that are current, each holding one of Apple's slots for it. */
  current: number;
  expired: number;
}

const time = (iso: string | undefined): number => {
  const t = iso ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(t) ? 0 : t;
};

/** Whether a profile can still be used: ACTIVE and before its expirationDate (Apple can say ACTIVE after it). */
export function profileUsable(p: ProfileWithRelations, now: Date): boolean {
  const left = daysUntil(p.profile.attributes?.expirationDate, now);
  return p.profile.attributes?.profileState === 'ACTIVE' && left !== undefined && left > 0;
}

function expiredByDate(p: ProfileWithRelations, now: Date): boolean {
  const left = daysUntil(p.profile.attributes?.expirationDate, now);
  return left === undefined || left <= 0 || p.profile.attributes?.profileState === 'EXPIRED';
}

/** Newest first: by createdDate, then expirationDate, then id (so the order is total). */
function newestFirst(a: ProfileWithRelations, b: ProfileWithRelations): number {
  const x = a.profile.attributes;
  const y = b.profile.attributes;
  return time(y?.createdDate) - time(x?.createdDate) || time(y?.expirationDate) - time(x?.expirationDate) || b.profile.id.localeCompare(a.profile.id);
}

/**
 * The profile of each name a build uses: the newest usable one. Apple keeps names unique per team, so
 * a second profile of a name (left by a failed create or an older tool) is a duplicate by name alone.
 */
function keepers(profiles: readonly ProfileWithRelations[], now: Date): Set<ProfileWithRelations> {
  const byName = new Map<string, ProfileWithRelations[]>();
  for (const p of profiles) {
    const name = p.profile.attributes?.name ?? '';
    byName.set(name, [...(byName.get(name) ?? []), p]);
  }
  const out = new Set<ProfileWithRelations>();
  for (const group of byName.values()) {
    const keeper = [...group].sort(newestFirst).find((p) => profileUsable(p, now));
    if (keeper) out.add(keeper);
  }
  return out;
}

export function judgeProfiles(profiles: readonly ProfileWithRelations[], o: { now: Date; warnDays: number }): ProfileJudgement[] {
  const inUse = keepers(profiles, o.now);
  const named = new Map<string, number>();
  for (const p of profiles) named.set(p.profile.attributes?.name ?? '', (named.get(p.profile.attributes?.name ?? '') ?? 0) + 1);
  const sameName = (p: ProfileWithRelations): number => named.get(p.profile.attributes?.name ?? '') ?? 0;
  return profiles.map((item) => {
    const a = item.profile.attributes;
    const daysLeft = daysUntil(a?.expirationDate, o.now);
    const problems: ProfileJudgement['problems'] = [];
    if (expiredByDate(item, o.now)) {
      problems.push({
        problem: 'expired',
        text: `expired on ${formatDate(a?.expirationDate)}${a?.profileState === 'ACTIVE' ? ' (Apple still calls it ACTIVE)' : ''}`,
      });
    } else if (a?.profileState !== 'ACTIVE') {
      problems.push({
        problem: 'invalid',
        text: `Apple marks it ${a?.profileState ?? 'not ACTIVE'} (a certificate it held was revoked, a device disabled or a capability changed)`,
      });
    }
    if (!inUse.has(item) && sameName(item) > 1) {
      problems.push({ problem: 'duplicate', text: `an older duplicate of the name (${sameName(item)} profiles are named so)` });
    }
    // A profile cannot outlive its certificates: the one expiring first, when it does so within warn-days
    // or no later than a day after the profile, is what bounds the profile's life.
    const first = item.certificates
      .filter((c) => certificateValid(c, o.now))
      .map((c) => ({ c, left: daysUntil(c.attributes?.expirationDate, o.now) ?? Infinity }))
      .sort((x, y) => x.left - y.left)[0];
    const bound = first && (first.left < o.warnDays || first.left <= (daysLeft ?? 0) + 1) ? first : undefined;
    const held = bound
      ? `certificate ${bound.c.attributes?.name ?? bound.c.id} (${bound.c.id}), which expires on ${formatDate(bound.c.attributes?.expirationDate)}`
      : '';
    if (problems.length === 0 && daysLeft !== undefined && daysLeft < o.warnDays) {
      const text = `expires on ${formatDate(a?.expirationDate)}, in ${Math.floor(daysLeft)} day(s)${bound ? `, bound by ${held}` : ''}`;
      problems.push({ problem: 'expiring', text, ...(bound ? { certificate: bound.c } : {}) });
    }
    if (problems.length === 0 && bound && bound.left < o.warnDays) {
      problems.push({ problem: 'certificate-expiring', text: `holds ${held}`, certificate: bound.c });
    }
    return { item, inUse: inUse.has(item), problems, daysLeft };
  });
}

export function judgeCertificates(certificates: readonly Certificate[], o: { now: Date; warnDays: number }): CertificateJudgement[] {
  return certificates.map((certificate) => {
    const daysLeft = daysUntil(certificate.attributes?.expirationDate, o.now);
    const status = !certificateValid(certificate, o.now) ? 'expired' : daysLeft !== undefined && daysLeft < o.warnDays ? 'expiring' : 'valid';
    return { certificate, status, daysLeft };
  });
}

/** Current and expired certificates per type; every current one holds one of Apple's slots for its type. */
export function slotUse(certificates: readonly Certificate[], now: Date): SlotUse[] {
  const byType = new Map<string, SlotUse>();
  for (const c of certificates) {
    const type = c.attributes?.certificateType ?? 'UNKNOWN';
    const use = byType.get(type) ?? { certificateType: type, current: 0, expired: 0 };
    if (certificateValid(c, now)) use.current++;
    else use.expired++;
    byType.set(type, use);
  }
  return [...byType.values()].sort((a, b) => a.certificateType.localeCompare(b.certificateType));
}

/** Devices that stay out of new profiles: PROCESSING (Apple enables them within 24 to 72 hours) or DISABLED. */
export function waitingDevices(devices: readonly Device[]): Device[] {
  return devices.filter((d) => d.attributes?.status === 'PROCESSING' || d.attributes?.status === 'DISABLED');
}
