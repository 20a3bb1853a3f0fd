/**
 * The prune-profiles workflow: delete the profiles that can no longer be used (expired by date whatever
 * Apple's state says, INVALID, older duplicates of a name), only within the bundle IDs and/or name
 * prefix asked for, and remove their installed copies. A profile that is valid and the newest of its
 * name is never deleted. One paged read, then one DELETE per profile.
 */
import type { AppleHttpClient } from '../core/http.js';
import type { Logger } from '../core/log.js';
import { deleteProfileIfPresent } from '../profiles/apply.js';
import { installDirs, removeInstalledProfile } from '../profiles/install.js';
import { forBundleIds, profileRow, readProfiles, type ProfileRow } from './account.js';
import { judgeProfiles, UNUSABLE } from './findings.js';

export interface PruneRequest {
  /** Exact identifiers; [] = any. */
  bundleIds: string[];
  /** Only profiles whose name starts with this; undefined = any. */
  namePrefix: string | undefined;
  dryRun: boolean;
  /** Where installed copies are looked for: this directory, else Xcode's two folders under HOME. */
  profilesDir: string | undefined;
}

export interface PrunedProfile extends ProfileRow {
  /** expired, invalid or duplicate. */
  reason: string;
  detail: string;
  /** Installed copies removed (none with dry-run). */
  removedFiles: string[];
}

export interface PruneResult {
  profiles: PrunedProfile[];
  deleted: number;
}

export async function pruneProfiles(http: AppleHttpClient, i: PruneRequest, log: Logger, now: Date): Promise<PruneResult> {
  const all = await readProfiles(http);
  // Judged over the whole account: a duplicate is one by name, wherever the newest of the name is.
  const doomed = judgeProfiles(all, { now, warnDays: 0 }).filter(
    (j) =>
      !j.inUse &&
      forBundleIds(j.item, i.bundleIds) &&
      (i.namePrefix === undefined || (j.item.profile.attributes?.name ?? '').startsWith(i.namePrefix)) &&
      j.problems.some((p) => UNUSABLE.includes(p.problem)),
  );
  log.info(`${all.length} profile(s) on the account; ${doomed.length} within the scope can no longer be used.`);
  const dirs = installDirs(i.profilesDir);
  const out: PrunedProfile[] = [];
  for (const j of doomed) {
    const p = j.item.profile;
    const first = j.problems.find((x) => UNUSABLE.includes(x.problem));
    const row: PrunedProfile = {
      ...profileRow(j.item),
      reason: first?.problem ?? '',
      detail: j.problems.map((x) => x.text).join('; '),
      removedFiles: [],
    };
    if (i.dryRun) {
      log.info(`Would delete profile ${p.id} '${row.name}': ${row.detail}.`);
    } else {
      await deleteProfileIfPresent(http, p, log);
      if (row.uuid) row.removedFiles = await removeInstalledProfile(row.uuid, dirs);
      for (const f of row.removedFiles) log.info(`Removed ${f}.`);
    }
    out.push(row);
  }
  return { profiles: out, deleted: i.dryRun ? 0 : out.length };
}
