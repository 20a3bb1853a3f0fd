import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type ApiKeyCredentials, type Simulator } from '../../simulator/index.js';
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

describe('identity store (bundled action, @actions/cache against a local Actions cache v2 service)', () => {
  let createdId = '';

  it('saves a created identity, encrypted, through the Actions cache protocol', async () => {
    const run = await storeRun({ 'identity-passphrase': PASSPHRASE });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs['created']).toBe('true');
    createdId = run.outputs['certificate-id'] ?? '';
    expect(posts()).toBe(1);
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
    expect(cache.entries).toHaveLength(1);
    expect(cache.entries[0]).toMatchObject({ finalized: true });
    expect(cache.entries[0]?.key).toMatch(new RegExp(`^apple-signing-identity-v1-[0-9a-f]{16}-DEVELOPMENT-${createdId}$`));
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
    expect(cache.entries).toHaveLength(1);
    // Restored over the protocol: a look-up that matched by prefix, then the signed download URL; nothing saved.
    expect(cache.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['POST 200', 'GET 200']);
    expect(cache.requests[0]?.body).toMatchObject({
      key: expect.stringMatching(/-DEVELOPMENT-latest$/),
      restore_keys: [expect.stringMatching(/-DEVELOPMENT-$/)],
    });
  });

  it('refuses a wrong passphrase in one sentence and never creates a certificate', async () => {
    const run = await storeRun({ 'identity-passphrase': 'Wr0ng-Tq8v-Kx2m-Pz5d' });
    expect(run.exitCode).toBe(1);
    expect(posts()).toBe(0);
    expect(run.errors).toEqual([
      expect.stringMatching(
        /^identity-passphrase does not open the DEVELOPMENT identity saved in the Actions cache \(apple-signing-identity-v1-[0-9a-f]{16}-DEVELOPMENT-\w+\); pass the passphrase it was saved with, or delete that cache entry/,
      ),
    ]);
    expect(findLeaks(`${run.stdout}\n${run.stderr}`, ['Wr0ng-Tq8v-Kx2m-Pz5d', PASSPHRASE])).toEqual([]);
  });

  it('creates and saves a successor when the stored certificate was revoked, and the next run restores the successor', async () => {
    sim.revokeCertificate(createdId);
    const first = await storeRun({ 'identity-passphrase': PASSPHRASE });
    expect(first.exitCode, first.stdout).toBe(0);
    expect(first.outputs['created']).toBe('true');
    expect(first.stdout).toMatch(/no longer a valid certificate on the account/);
    const successor = first.outputs['certificate-id'] ?? '';
    expect(successor).not.toBe(createdId);
    expect(cache.entries.filter((e) => e.finalized)).toHaveLength(2);
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
