/**
 * prune-profiles: deletes the profiles that can no longer be used (expired by date, INVALID, older
 * duplicates of a name) within bundle-id and/or name-prefix, and their installed copies; never one that
 * is valid and the newest of its name. dry-run reports what would go.
 */
import { createAppleClient, type AppleApiConfig } from '../apple/client.js';
import { InputError } from '../core/errors.js';
import { pruneProfiles, type PrunedProfile } from '../lifecycle/prune.js';
import { formatDate } from '../profiles/plan.js';
import { bundleIdentifiers } from './support/bundle-id-inputs.js';
import type { ActionDefinition, ActionResult, RunContext } from './support/action-runner.js';
import { readAppleApiInputs } from './support/apple-inputs.js';
import { budgetLine, clientDeps } from './support/client-deps.js';
import { booleanInput, optionalString, type InputSource } from './support/inputs.js';

export interface PruneProfilesInputs {
  apple: AppleApiConfig;
  bundleIds: string[];
  namePrefix: string | undefined;
  dryRun: boolean;
  profilesDir: string | undefined;
}

function parsePruneProfilesInputs(src: InputSource): PruneProfilesInputs {
  const apple = readAppleApiInputs(src);
  const bundleIds = bundleIdentifiers(src, false);
  // Not trimmed: a prefix may end in a space ("com.example.app ").
  const namePrefix = src.get('name-prefix') === '' ? undefined : src.get('name-prefix');
  if (bundleIds.length === 0 && namePrefix === undefined) {
    throw new InputError(
      'bundle-id',
      'prune-profiles needs bundle-id or name-prefix (or both) to say which profiles it may delete, so that it never touches profiles outside them; give the bundle identifier(s) of your app, or the prefix its profile names share.',
    );
  }
  return { apple, bundleIds, namePrefix, dryRun: booleanInput(src, 'dry-run', false), profilesDir: optionalString(src, 'profiles-dir') };
}

const REASON: Record<string, string> = { expired: 'expired', invalid: 'INVALID', duplicate: 'older duplicate' };

async function executePruneProfiles(i: PruneProfilesInputs, ctx: RunContext): Promise<ActionResult> {
  const http = createAppleClient(i.apple, clientDeps(ctx));
  const r = await pruneProfiles(http, i, ctx.log, new Date());
  ctx.log.info(budgetLine(http));
  const json = r.profiles.map(({ removedFiles: _files, ...rest }: PrunedProfile) => rest);
  return {
    outputs: { deleted: r.deleted, profiles: JSON.stringify(json) },
    summary: {
      heading: i.dryRun ? 'prune-profiles (dry run: nothing deleted)' : 'prune-profiles',
      rows: [
        ['Profile', 'ID', 'Bundle ID', 'Type', 'Reason', 'Expires', i.dryRun ? 'Would delete' : 'Deleted'],
        ...r.profiles.map((p) => [
          p.name,
          p.id,
          p.bundleId,
          p.profileType,
          `${REASON[p.reason] ?? p.reason}: ${p.detail}`,
          formatDate(p.expirationDate),
          i.dryRun ? 'would delete' : 'deleted',
        ]),
      ],
      notes: r.profiles.length === 0 ? ['No profile within the scope is expired, INVALID or an older duplicate.'] : [],
    },
  };
}

export const pruneProfilesAction: ActionDefinition<PruneProfilesInputs> = {
  parse: parsePruneProfilesInputs,
  execute: executePruneProfiles,
};
