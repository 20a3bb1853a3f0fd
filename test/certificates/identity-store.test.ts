import { createHash } from 'node:crypto';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type ApiKeyCredentials, type Simulator } from '../../simulator/index.js';
import { seal } from '../../src/certificates/identity-crypto.js';
import { STORE_PATH, storeKeyPrefix } from '../../src/certificates/identity-store.js';
import { startCacheServer, type CacheServer } from '../support/cache-server.js';
import { assertTrafficValid } from '../support/openapi.js';
import { findLeaks, runStep, type StepOptions, type StepResult } from '../support/runner.js';

let sim: Simulator;
let key: ApiKeyCredentials;
let cache: CacheServer;

const PASSPHRASE = 'correct horse battery staple 42';
const api = (): Record<string, string> => ({ 'key-id': key.keyId, 'issuer-id': key.issuerId ?? '', 'private-key': key.privateKeyPem, 'api-base-url': sim.url });
const posts = (): number => sim.requests.filter((r) => r.method === 'POST' && r.path === '/v1/certificates').length;

/**
 * A job on a fresh runner: its own workspace (the step's working directory, as on GitHub), RUNNER_TEMP
 * and HOME, so nothing but the cache service carries over; the paths differ from run to run, as they do
 * between a Linux and a macOS runner.
 */
async function freshRunner(): Promise<{ workspace: string; opts: StepOptions }> {
  const workspace = await mkdtemp(path.join(tmpdir(), 'asa-workspace-'));
  return { workspace, opts: { cwd: workspace, env: { ...cache.env, GITHUB_WORKSPACE: workspace } } };
}

async function storeRun(inputs: Record<string, string>): Promise<StepResult & { workspace: string }> {
  const { workspace, opts } = await freshRunner();
  const run = await runStep('download-certificate', { ...api(), 'certificate-type': 'DEVELOPMENT', 'create-if-missing': 'true', ...inputs }, opts);
  // The sealed file is only in the workspace while the cache moves it.
  expect(await readdir(workspace)).toEqual([]);
  return { ...run, workspace };
}

beforeAll(async () => {
  sim = await startSimulator();
  key = sim.addKey({ api: 'app-store-connect', kind: 'team' });
  cache = await startCacheServer();
});
afterAll(async () => {
  await sim.close();
  await cache.close();
});
afterEach(() => {
  assertTrafficValid(sim.requests);
  sim.clearRequests();
});

// Each store run derives the cache key and then seals or opens the file with full-strength scrypt (128 MiB,
// about a second each on a busy machine), never weakened for tests; so the runs are few and the time generous.
describe('identity store (bundled action, @actions/cache against a local Actions cache v2 service)', { timeout: 120_000 }, () => {
  let createdId = '';
  /** The entries this account's DEVELOPMENT identities have under PASSPHRASE (derived as the action derives it). */
  let prefix = '';
  const ours = (): typeof cache.entries => cache.entries.filter((e) => e.key.startsWith(prefix));
  beforeAll(async () => {
    prefix = await storeKeyPrefix({ api: 'app-store-connect', account: key.issuerId ?? '', certificateType: 'DEVELOPMENT' }, PASSPHRASE);
  });

  it('ignores entries planted under keys not derived from the passphrase, and saves a created identity, encrypted, through the Actions cache protocol', async () => {
    // What anyone who can write the cache scope could plant: the restore key earlier versions looked up
    // (-latest, never saved by the action), and a key of the current form under a tag they had to guess.
    const oldLatest = `apple-signing-identity-v1-${createHash('sha256')
      .update(`app-store-connect\n${key.issuerId ?? ''}`)
      .digest('hex')
      .slice(0, 16)}-DEVELOPMENT-latest`;
    const guessed = `apple-signing-identity-v2-${'0'.repeat(32)}-ABC123`;
    for (const k of [oldLatest, guessed]) expect(await cache.plant(k, { [STORE_PATH]: '{"format":"planted"}' })).toBe(true);
    cache.requests.length = 0;

    const run = await storeRun({ 'identity-passphrase': PASSPHRASE });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs['created']).toBe('true');
    expect(run.stdout).not.toMatch(/planted|-latest|cannot be read/);
    createdId = run.outputs['certificate-id'] ?? '';
    expect(posts()).toBe(1);
    // One look-up: the passphrase's own key prefix, no restore keys, and it matched nothing planted.
    expect(cache.requests[0]?.body).toEqual({ key: prefix, version: expect.any(String) });
    // What @actions/cache did on the wire: look-up (miss), reserve, one block-blob PUT, finalize.
    const calls = cache.requests.map(
      (r) =>
        `${r.method} ${r.path.replace(/^\/twirp\/github\.actions\.results\.api\.v1\.CacheService\//, '').replace(/\/[0-9a-f]{24}$/, '/<blob>')} ${r.status}`,
    );
    expect(calls).toEqual([
      'POST GetCacheEntryDownloadURL 200',
      'POST CreateCacheEntry 200',
      'PUT /devstoreaccount1/actions-cache/<blob> 201',
      'POST FinalizeCacheEntryUpload 200',
    ]);
    expect(cache.requests[2]?.blobType).toBe('BlockBlob');
    expect(ours()).toHaveLength(1);
    expect(ours()[0]).toMatchObject({ finalized: true });
    expect(ours()[0]?.key).toMatch(new RegExp(`^apple-signing-identity-v2-[0-9a-f]{32}-${createdId}$`));
    // The key is the passphrase's: nothing in it can be worked out from the account or type alone.
    expect(ours()[0]?.key).toBe(`${prefix}${createdId}`);
    expect(run.stdout).toMatch(/Saved the new identity, encrypted with identity-passphrase, in the Actions cache/);
    expect(findLeaks(`${run.stdout}\n${run.stderr}`, [PASSPHRASE, run.outputs['p12-base64'] ?? '', run.outputs['p12-password'] ?? ''])).toEqual([]);
  });

  it('restores it on a fresh runner and reuses that certificate instead of creating another', async () => {
    cache.requests.length = 0;
    const before = sim.state().certificates.length;
    const run = await storeRun({ 'identity-passphrase': PASSPHRASE });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs['created']).toBe('false');
    expect(run.outputs['certificate-id']).toBe(createdId);
    expect(run.outputs['p12-base64']).toBe('');
    expect(posts()).toBe(0);
    expect(sim.state().certificates.length).toBe(before);
    expect(run.stdout).toMatch(/from the identity store/);
    expect(run.summary).toMatch(/restored from the identity store/);
    expect(ours()).toHaveLength(1);
    // Restored over the protocol: a look-up under the passphrase's key prefix, then the signed download URL; nothing saved.
    expect(cache.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['POST 200', 'GET 200']);
    expect(cache.requests[0]?.body).toEqual({ key: prefix, version: expect.any(String) });
  });

  it('finds nothing under another passphrase (the key is derived from it), and says so without creating a certificate', async () => {
    const run = await storeRun({ 'identity-passphrase': 'Wr0ng-Tq8v-Kx2m-Pz5d-Hb7n', 'create-if-missing': 'false' });
    expect(run.exitCode).toBe(1);
    expect(posts()).toBe(0);
    expect(run.errors).toEqual([
      expect.stringMatching(
        /^No usable .*: the identity store has no DEVELOPMENT identity for this account under this identity-passphrase; pass a certificate's private key/,
      ),
    ]);
    expect(findLeaks(`${run.stdout}\n${run.stderr}`, ['Wr0ng-Tq8v-Kx2m-Pz5d-Hb7n', PASSPHRASE])).toEqual([]);
  });

  it('refuses a passphrase shorter than 20 characters in one sentence, before touching the cache', async () => {
    cache.requests.length = 0;
    const run = await storeRun({ 'identity-passphrase': 'too-short-19-chars!' });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      'Input identity-passphrase has 19 characters, but it needs at least 20: it alone protects the identity in the Actions cache, which pull-request runs (forks included) can read, so use a long random passphrase from a secret.',
    ]);
    expect(cache.requests).toEqual([]);
  });

  it('stops with one sentence on a malformed sealed file under its own key (a 12-byte GCM tag), and never creates a certificate', async () => {
    const passphrase = 'another passphrase, 29 chars.';
    const other = await storeKeyPrefix({ api: 'app-store-connect', account: key.issuerId ?? '', certificateType: 'MAC_APP_DEVELOPMENT' }, passphrase);
    const sealed = JSON.parse((await seal(Buffer.from('{}'), passphrase, { N: 2 ** 14, r: 8, p: 1 })).toString()) as Record<string, string>;
    const truncated = {
      ...sealed,
      tag: Buffer.from(sealed['tag'] ?? '', 'base64')
        .subarray(0, 12)
        .toString('base64'),
    };
    expect(await cache.plant(`${other}MALFORMED1`, { [STORE_PATH]: JSON.stringify(truncated) })).toBe(true);
    const run = await storeRun({ 'identity-passphrase': passphrase, 'certificate-type': 'MAC_APP_DEVELOPMENT' });
    expect(run.exitCode).toBe(1);
    expect(posts()).toBe(0);
    expect(run.errors).toEqual([
      `The MAC_APP_DEVELOPMENT identity saved in the Actions cache (${other}MALFORMED1) cannot be read (the saved identity's authentication tag is not 16 bytes of base64); delete that cache entry (Actions > Caches) to let create-if-missing make and save a new certificate.`,
    ]);
  });

  it('creates and saves a successor when the stored certificate was revoked, and the next run restores the successor', async () => {
    sim.revokeCertificate(createdId);
    const first = await storeRun({ 'identity-passphrase': PASSPHRASE });
    expect(first.exitCode, first.stdout).toBe(0);
    expect(first.outputs['created']).toBe('true');
    expect(first.stdout).toMatch(/no longer a valid certificate on the account/);
    const successor = first.outputs['certificate-id'] ?? '';
    expect(successor).not.toBe(createdId);
    expect(ours().filter((e) => e.finalized)).toHaveLength(2);
    sim.clearRequests();
    const second = await storeRun({ 'identity-passphrase': PASSPHRASE });
    expect(second.exitCode, second.stdout).toBe(0);
    expect(second.outputs['created']).toBe('false');
    expect(second.outputs['certificate-id']).toBe(successor);
    expect(posts()).toBe(0);
  });

  it('goes on without the store where the cache service is not there (outside Actions), and says so', async () => {
    const run = await runStep('download-certificate', {
      ...api(),
      'certificate-type': 'IOS_DEVELOPMENT',
      'create-if-missing': 'true',
      'identity-passphrase': PASSPHRASE,
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs['created']).toBe('true');
    expect(run.stdout).toMatch(/The Actions cache service is not available here/);
    expect(run.warnings).toEqual([]);
  });
});
