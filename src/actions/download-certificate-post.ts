/**
 * download-certificate's post step: deletes the keychain main created, takes it off the search list
 * (keeping every other entry), and deletes the files holding the private key. Reads state only: a
 * post step can be handed the wrong inputs (actions/runner#3514), and state holds no secret.
 */
import { access, rm } from 'node:fs/promises';
import path from 'node:path';
import { findOnPath, SecurityTool, execRunner, type CommandRunner } from '../keychain/keychain.js';
import { removeIdentity } from '../keychain/install.js';
import { readJsonList, State } from './download-certificate-state.js';
import type { PostDefinition, RunContext, StateStore } from './support/action-runner.js';

/** Only what main names like this is ever deleted, whatever the state says. */
const OURS = /^apple-signing-identity-/;

export async function cleanupDownloadCertificate(state: StateStore, ctx: RunContext, run: CommandRunner = execRunner): Promise<void> {
  const { log } = ctx;
  const createdKeychain = state.get(State.CreatedKeychain);
  const added = state.get(State.SearchListAdded);
  const paths = readJsonList(state, State.CleanupPaths);
  if (!createdKeychain && !added && paths.length === 0) {
    log.info('Nothing to clean up: the main step made no keychain and wrote no files.');
    return;
  }
  const problems: string[] = [];
  if (createdKeychain || added) {
    const tool = await findOnPath('security');
    if (!tool) {
      problems.push(`the security tool is not on PATH, so keychain ${createdKeychain || added} was left`);
    } else {
      const security = new SecurityTool(run, (line) => log.debug(line), tool);
      // Idempotent: a keychain already gone (deleted by hand, or a second run of this step) is not an error.
      const stillThere =
        createdKeychain !== '' &&
        (await access(createdKeychain).then(
          () => true,
          () => false,
        ));
      if (createdKeychain && !stillThere) log.info(`Keychain ${createdKeychain} is already gone.`);
      const report = await removeIdentity(security, {
        createdKeychain: stillThere ? createdKeychain : '',
        addedToSearchList: added || createdKeychain,
        originalSearchList: readJsonList(state, State.SearchListOriginal),
      });
      if (report.deleted) log.info(`Deleted keychain ${createdKeychain}.`);
      if (report.searchListRestored) log.info('Took the keychain off the search list; every other entry is kept.');
      problems.push(...report.problems);
    }
  }
  let removed = 0;
  for (const p of paths) {
    if (!OURS.test(path.basename(p))) {
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
