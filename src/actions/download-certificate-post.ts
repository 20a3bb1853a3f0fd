/**
 * download-certificate's post step: deletes the keychain main created, takes it off the search list
 * (keeping every other entry), and deletes the files holding the private key. Reads state only: a
 * post step can be handed the wrong inputs (actions/runner#3514), and state holds no secret. State is
 * not proof (an injected `::save-state` line writes it too), so only what main provably made is deleted:
 * a keychain with main's marker beside it (keychain/temporary.ts), directories of main's name in RUNNER_TEMP.
 */
import { access, rm } from 'node:fs/promises';
import path from 'node:path';
import { findOnPath, SecurityTool, execRunner, type CommandRunner } from '../keychain/keychain.js';
import { removeIdentity } from '../keychain/install.js';
import { notOurKeychain, removeKeychainMarker } from '../keychain/temporary.js';
import { readJsonList, State } from './download-certificate-state.js';
import type { PostDefinition, RunContext, StateStore } from './support/action-runner.js';

function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}

/** Only what main names like this is ever deleted, whatever the state says. */
const OURS = /^apple-signing-identity-/;

async function cleanupDownloadCertificate(
  state: StateStore,
  ctx: RunContext,
  run: CommandRunner = execRunner,
  runnerTemp = process.env['RUNNER_TEMP'],
): Promise<void> {
  const { log } = ctx;
  const named = state.get(State.CreatedKeychain);
  const added = state.get(State.SearchListAdded);
  const paths = readJsonList(state, State.CleanupPaths);
  if (!named && !added && paths.length === 0) {
    log.info('Nothing to clean up: the main step made no keychain and wrote no files.');
    return;
  }
  const problems: string[] = [];
  // Idempotent: a keychain already gone (deleted by hand, or a second run of this step) is not an error.
  const stillThere = named !== '' && (await exists(named));
  const refused = named ? await notOurKeychain(named, state.get(State.CreatedKeychainMarker), runnerTemp) : undefined;
  if (named && !stillThere) {
    log.info(`Keychain ${named} is already gone.`);
    if (!refused) await removeKeychainMarker(named);
  } else if (refused) {
    problems.push(refused);
  }
  const createdKeychain = refused ? '' : named;
  if (createdKeychain || added) {
    const tool = await findOnPath('security');
    if (!tool) {
      problems.push(`the security tool is not on PATH, so keychain ${createdKeychain || added} was left`);
    } else {
      const security = new SecurityTool(run, (line) => log.debug(line), tool);
      const report = await removeIdentity(security, {
        createdKeychain: stillThere ? createdKeychain : '',
        addedToSearchList: added || createdKeychain,
        originalSearchList: readJsonList(state, State.SearchListOriginal),
      });
      if (report.deleted) await removeKeychainMarker(createdKeychain);
      if (report.deleted) log.info(`Deleted keychain ${createdKeychain}.`);
      if (report.searchListRestored) log.info('Took the keychain off the search list; every other entry is kept.');
      problems.push(...report.problems);
    }
  }
  let removed = 0;
  for (const p of paths) {
    if (!OURS.test(path.basename(p)) || !runnerTemp || path.dirname(path.resolve(p)) !== path.resolve(runnerTemp)) {
      problems.push(`state names ${p}, which this action does not write, so it was left`);
      continue;
    }
    await rm(p, { recursive: true, force: true });
    removed++;
  }
  if (removed > 0) log.info(`Deleted ${removed} director${removed === 1 ? 'y' : 'ies'} holding the certificate and private key.`);
  if (problems.length > 0) log.warning(`Cleanup incomplete: ${problems.join('; ')}.`, 'Cleanup incomplete');
}

export const downloadCertificatePost: PostDefinition = {
  run: (state, ctx) => cleanupDownloadCertificate(state, ctx),
};
