/**
 * Carries out profile decisions on Apple: deletes what is replaced (and stale duplicates), then creates
 * the new profile once. A create whose outcome is unknown is followed by a re-read by name, never a
 * blind second create; a 409 "Multiple profiles found with the name" removes every profile of that name
 * and creates once more, so exactly one profile of the name remains.
 */
import { createProfile, deleteProfile, profilesNamed, type NewProfile } from '../apple/profiles.js';
import type { Profile } from '../apple/types.js';
import { AppleApiError } from '../core/errors.js';
import type { AppleHttpClient } from '../core/http.js';
import type { Logger } from '../core/log.js';
import { mapPool } from '../core/pool.js';
import { writeWithReread } from '../core/reread-write.js';
import type { Sleep } from '../core/retry.js';
import type { ProfileDecision } from './plan.js';

export interface AppliedProfile {
  decision: ProfileDecision;
  /** The profile that now exists on Apple. */
  profile: Profile;
  created: boolean;
  /** Profiles of the name deleted in this run. */
  removed: Profile[];
}

/** Bundle IDs converged at once: enough to overlap latency, few enough not to draw 429s. */
const CONCURRENCY = 3;

/** Deletes a profile on Apple; one that is gone already (404) is what was wanted. */
export async function deleteProfileIfPresent(http: AppleHttpClient, p: Profile, log: Logger): Promise<void> {
  try {
    await deleteProfile(http, p.id);
    log.info(`Deleted profile ${p.id} '${p.attributes?.name ?? ''}' (${p.attributes?.uuid ?? 'no UUID'}).`);
  } catch (err) {
    // Gone already (someone else removed it): that is what we wanted.
    if (err instanceof AppleApiError && err.status === 404) return;
    throw err;
  }
}

function isDuplicateName(err: unknown): boolean {
  return err instanceof AppleApiError && err.status === 409 && err.detailMatches(/multiple profiles found with the name|already exists|duplicate/i);
}

/** Creates the profile; an unknown outcome is settled by re-reading the name. */
async function createOnce(http: AppleHttpClient, spec: NewProfile, log: Logger, sleep?: Sleep): Promise<Profile> {
  return writeWithReread({
    write: () => createProfile(http, spec),
    reread: async () => {
      const found = await profilesNamed(http, spec.name);
      return found.find((p) => p.attributes?.profileType === spec.profileType) ?? found[0];
    },
    log: (l) => log.info(l),
    ...(sleep ? { sleep } : {}),
  });
}

export async function createProfileSafely(
  http: AppleHttpClient,
  spec: NewProfile,
  log: Logger,
  sleep?: Sleep,
): Promise<{ profile: Profile; removed: Profile[] }> {
  try {
    return { profile: await createOnce(http, spec, log, sleep), removed: [] };
  } catch (err) {
    if (!isDuplicateName(err)) throw err;
    log.info(`Apple refused a second profile named '${spec.name}'; removing every profile of that name and creating it once more.`);
    const stale = await profilesNamed(http, spec.name);
    for (const p of stale) await deleteProfileIfPresent(http, p, log);
    return { profile: await createOnce(http, spec, log, sleep), removed: stale };
  }
}

export interface ApplyOptions {
  /** What the new profile of each decision holds. */
  spec: (d: ProfileDecision) => NewProfile;
  log: Logger;
  sleep?: Sleep;
}

export async function applyProfileDecisions(http: AppleHttpClient, decisions: readonly ProfileDecision[], o: ApplyOptions): Promise<AppliedProfile[]> {
  return mapPool(decisions, CONCURRENCY, async (d) => {
    for (const r of d.remove) await deleteProfileIfPresent(http, r.profile, o.log);
    const removed = d.remove.map((r) => r.profile);
    if (d.action === 'keep' && d.keep) return { decision: d, profile: d.keep.profile, created: false, removed };
    const made = await createProfileSafely(http, o.spec(d), o.log, o.sleep);
    o.log.info(`Created profile ${made.profile.id} '${d.name}' (${made.profile.attributes?.uuid ?? 'no UUID'}).`);
    return { decision: d, profile: made.profile, created: true, removed: [...removed, ...made.removed] };
  });
}
