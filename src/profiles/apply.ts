/**
 * Carries out profile decisions on Apple: deletes, by id, what the plan replaces (and stale duplicates),
 * then creates the new profile once. A create whose outcome is unknown is followed by a re-read by name,
 * never a blind second create. Apple refuses a second profile of a name (409): that happens when another
 * run (a parallel job) created it meanwhile, so the profile found is adopted when it passes the checks a
 * kept profile must pass, and otherwise the step fails naming the conflict. Nothing is ever deleted
 * that the plan did not list, so a run never deletes a profile another run has just made and installed.
 */
import { createProfile, deleteProfile, type NewProfile, type ProfileWithRelations } from '../apple/profiles.js';
import type { Profile } from '../apple/types.js';
import { AppleApiError, ConfigError } from '../core/errors.js';
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
  /** This run's create made it. */
  created: boolean;
  /** Made by another run at the same time, and used by this one (with its relations). */
  adopted?: ProfileWithRelations;
  /** Profiles of the name deleted in this run: only those the plan listed. */
  removed: Profile[];
}

/** What a re-read of a decision's name found. */
export interface Reread {
  /** The profile of the name this run may use: it passes the checks a kept profile must pass. */
  usable: ProfileWithRelations | undefined;
  /** How many profiles of the name exist. */
  found: number;
  /** Why none of them is usable ('' when one is, or none exists). */
  problems: string;
}

/** Bundle IDs converged at once: enough to overlap latency, few enough not to draw 429s. */
const CONCURRENCY = 3;

/** Deletes a profile on Apple; one that is gone already (404) is what was wanted. */
export async function deleteProfileIfPresent(http: AppleHttpClient, p: Profile, log: Logger): Promise<void> {
  try {
    await deleteProfile(http, p.id);
    log.info(`Deleted profile ${p.id} '${p.attributes?.name ?? ''}' (${p.attributes?.uuid ?? 'no UUID'}).`);
  } catch (err) {
    // Gone already (another run replacing it too removed it): that is what we wanted.
    if (err instanceof AppleApiError && err.status === 404) return;
    throw err;
  }
}

function isDuplicateName(err: unknown): boolean {
  return err instanceof AppleApiError && err.status === 409 && err.detailMatches(/multiple profiles found with the name|already exists|duplicate/i);
}

export interface ApplyOptions {
  /** What the new profile of each decision holds. */
  spec: (d: ProfileDecision) => NewProfile;
  /** Re-reads the profiles of the decision's name and judges them as the plan judges a kept profile. */
  reread: (d: ProfileDecision) => Promise<Reread>;
  log: Logger;
  sleep?: Sleep;
}

type Made = { profile: Profile; created: true } | { profile: Profile; created: false; adopted: ProfileWithRelations };

/** Creates the profile once: an unknown outcome is settled by re-reading, a 409 on the name by adopting. */
async function create(http: AppleHttpClient, d: ProfileDecision, o: ApplyOptions): Promise<Made> {
  const spec = o.spec(d);
  try {
    const profile = await writeWithReread({
      write: () => createProfile(http, spec),
      reread: async () => (await o.reread(d)).usable?.profile,
      log: (l) => o.log.info(l),
      ...(o.sleep ? { sleep: o.sleep } : {}),
    });
    return { profile, created: true };
  } catch (err) {
    if (!isDuplicateName(err)) throw err;
    const r = await o.reread(d);
    if (r.usable) {
      const a = r.usable.profile.attributes;
      o.log.info(
        `Apple refused a second profile named '${spec.name}': another run created ${r.usable.profile.id} (${a?.uuid ?? 'no UUID'}) at ${a?.createdDate ?? 'the same time'}, and it holds what this run needs, so this run uses it.`,
      );
      return { profile: r.usable.profile, created: false, adopted: r.usable };
    }
    throw new ConfigError(
      r.found === 0
        ? `Apple refused to create profile '${spec.name}' because one of that name exists, but none can be read back (another job may be replacing it right now); run the job again.`
        : `Apple refused to create profile '${spec.name}' because another profile of that name was created meanwhile, probably by a job running at the same time, and it is not what this step asks for (${r.problems}); this step deletes only what it planned to replace, so make the jobs ask for the same profile or give each its own profile-name, then run again.`,
      { cause: err },
    );
  }
}

export async function applyProfileDecisions(http: AppleHttpClient, decisions: readonly ProfileDecision[], o: ApplyOptions): Promise<AppliedProfile[]> {
  return mapPool(decisions, CONCURRENCY, async (d) => {
    for (const r of d.remove) await deleteProfileIfPresent(http, r.profile, o.log);
    const removed = d.remove.map((r) => r.profile);
    if (d.action === 'keep' && d.keep) return { decision: d, profile: d.keep.profile, created: false, removed };
    const made = await create(http, d, o);
    if (made.created) o.log.info(`Created profile ${made.profile.id} '${d.name}' (${made.profile.attributes?.uuid ?? 'no UUID'}).`);
    return { decision: d, removed, ...made };
  });
}
