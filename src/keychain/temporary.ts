/**
 * The temporary keychain and the proof that this action made it. The post step learns what to delete
 * from state, and state is also what an injected `::save-state` line would write; so it deletes a
 * keychain only when it is directly under RUNNER_TEMP, named as this action names its keychains, and has
 * a marker file beside it, written by main, holding the random value state carries.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const NAME = /^apple-signing-[0-9a-f]{12}\.keychain-db$/;

export function temporaryKeychainPath(runnerTemp: string): string {
  return path.resolve(runnerTemp, `apple-signing-${randomBytes(6).toString('hex')}.keychain-db`);
}

function markerPath(keychain: string): string {
  return `${keychain}.marker`;
}

/** Writes the marker beside a keychain about to be created; returns the random value for state. */
export async function writeKeychainMarker(keychain: string): Promise<string> {
  const value = randomBytes(32).toString('hex');
  await writeFile(markerPath(keychain), `${value}\n`, { mode: 0o600, flag: 'wx' });
  return value;
}

/** Why the post step must leave `keychain` alone, or undefined when main made it in this job. */
export async function notOurKeychain(keychain: string, marker: string, runnerTemp: string | undefined): Promise<string | undefined> {
  const leave = `state names keychain ${keychain}, but`;
  if (!runnerTemp) return `${leave} RUNNER_TEMP is not set, so it was left`;
  if (path.dirname(path.resolve(keychain)) !== path.resolve(runnerTemp) || !NAME.test(path.basename(keychain))) {
    return `${leave} this action makes its keychains only in RUNNER_TEMP as apple-signing-<random>.keychain-db, so it was left`;
  }
  const written = await readFile(markerPath(keychain), 'utf8').then(
    (t) => t.trim(),
    () => '',
  );
  if (!/^[0-9a-f]{64}$/.test(marker) || written !== marker) return `${leave} its marker file does not match the value main saved, so it was left`;
  return undefined;
}

export async function removeKeychainMarker(keychain: string): Promise<void> {
  await rm(markerPath(keychain), { force: true });
}
