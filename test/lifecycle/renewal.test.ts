/**
 * Certificate renewal (renew-days) and revocation (revoke-certificate-id) through the bundled actions,
 * with the identity store on a local Actions cache service. A certificate "about to expire" is seeded on
 * the simulator and put into the identity store through the store's own save API, as an earlier run would
 * have left it.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiKeyCredentials, Simulator } from '../../simulator/index.js';
import { simulatorPerTest } from '../support/simulator-per-test.js';
import { actionsCachePort, IdentityStore } from '../../src/certificates/identity-store.js';
import { startCacheServer, type CacheServer } from '../support/cache-server.js';
import { apiInputs, DAY, onlyProfile } from '../profiles/helpers.js';
import { findLeaks, runStep, type StepOptions, type StepResult } from '../support/runner.js';

const PASSPHRASE = 'renewal test passphrase, long enough';

let sim: Simulator;
let key: ApiKeyCredentials;
let cache: CacheServer;

simulatorPerTest({ certificateLimitPerType: 2 }, async (s, k) => {
  sim = s;
  key = k;
  cache = await startCacheServer();
});
afterEach(async () => {
  await cache.close();
});

const days = (n: number): Date => new Date(Date.now() + n * DAY);
const posts = (): string[] => sim.requests.filter((r) => r.method === 'POST' && r.path === '/v1/certificates').map((r) => String(r.status));

/** A fresh runner: its own workspace and HOME; only the cache service carries over. */
async function runner(): Promise<StepOptions> {
  const workspace = await mkdtemp(path.join(tmpdir(), 'asa-workspace-'));
  return { cwd: workspace, env: { ...cache.env, GITHUB_WORKSPACE: workspace } };
}

/** Seeds a certificate expiring in `expiresInDays` and saves its identity in the store, as an earlier run would have. */
async function storedCertificate(certificateType: string, expiresInDays: number) {
  const cert = sim.seed.certificate({ certificateType, expiresAt: days(expiresInDays) });
  const workspace = await mkdtemp(path.join(tmpdir(), 'asa-seed-'));
  const saved: Record<string, string | undefined> = {};
  const env = { ...cache.env, GITHUB_WORKSPACE: workspace };
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  // @actions/cache globs the paths from the working directory (vitest runs test files in forked processes).
  const cwd = process.cwd();
  process.chdir(workspace);
  try {
    const port = await actionsCachePort();
    if (!port) throw new Error('the local cache service is not configured');
    const key = await new IdentityStore(port, workspace).save(
      { api: 'app-store-connect', account: keyAccount(), certificateType },
      {
        certificateId: cert.id,
        certificateType,
        privateKeyPem: cert.privateKeyPem,
        certificateContent: cert.certificateContent,
        savedAt: new Date().toISOString(),
      },
      PASSPHRASE,
    );
    if (!key) throw new Error('the cache did not take the seeded identity');
  } finally {
    process.chdir(cwd);
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return cert;
}

const keyAccount = (): string => key.issuerId ?? key.keyId;

function renewInputs(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...apiInputs(sim, key),
    'certificate-type': 'DISTRIBUTION',
    'create-if-missing': 'true',
    'identity-passphrase': PASSPHRASE,
    'renew-days': '30',
    ...extra,
  };
}

async function download(inputs: Record<string, string>): Promise<StepResult> {
  return runStep('download-certificate', inputs, await runner());
}

describe('renew-days (download-certificate, bundled)', { timeout: 180_000 }, () => {
  it('creates a successor before expiry, keeps the old one valid, and the next run restores the successor and creates nothing', async () => {
    const old = await storedCertificate('DISTRIBUTION', 10);
    const first = await download(renewInputs());
    expect(first.exitCode, first.stdout).toBe(0);
    expect(first.outputs).toMatchObject({ created: 'true', renewed: 'true', 'previous-certificate-id': old.id });
    const successor = first.outputs['certificate-id'] ?? '';
    expect(successor).not.toBe(old.id);
    expect(posts()).toEqual(['201']);
    // The old certificate is left valid until it expires.
    expect(
      sim
        .state()
        .certificates.map((c) => c.id)
        .sort(),
    ).toEqual([old.id, successor].sort());
    expect(first.warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Certificate ".*" \\(${old.id}\\) expires on .*, within renew-days \\(30\\): created its successor ${successor} with a new key and saved it in the identity store.*Any secret still holding the old key or p12 is now stale`,
        ),
      ),
    ]);
    expect(cache.entries.filter((e) => e.finalized)).toHaveLength(2);
    expect(findLeaks(first.stdout + first.stderr, [PASSPHRASE, first.outputs['p12-base64'] ?? '', old.privateKeyPem])).toEqual([]);

    sim.clearRequests();
    const second = await download(renewInputs());
    expect(second.exitCode, second.stdout).toBe(0);
    expect(second.outputs).toMatchObject({ created: 'false', renewed: 'false', 'previous-certificate-id': '', 'certificate-id': successor });
    expect(posts()).toEqual([]);
    expect(second.warnings).toEqual([]);
  });

  it('refuses renew-days without identity-passphrase in one sentence, before any request', async () => {
    const { 'identity-passphrase': _drop, ...inputs } = renewInputs();
    const run = await download(inputs);
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      expect.stringMatching(
        /^Input renew-days is 30, which needs create-if-missing: true and identity-passphrase, .*without it every run would create another certificate/,
      ),
    ]);
    expect(sim.requests).toEqual([]);
  });

  it("at Apple's cap, lists the certificates in the slots and names revoke-certificate-id; revoking one lets the renewal through", async () => {
    const old = await storedCertificate('DISTRIBUTION', 10);
    // A second current DISTRIBUTION certificate, made through the API by another job (no store): the cap (2 in this simulator) is reached.
    const other = await runStep('download-certificate', { ...apiInputs(sim, key), 'certificate-type': 'DISTRIBUTION', 'create-if-missing': 'true' });
    expect(other.exitCode, other.stdout).toBe(0);
    const otherId = other.outputs['certificate-id'] ?? '';

    const refused = await download(renewInputs());
    expect(refused.exitCode).toBe(1);
    expect(refused.errors).toHaveLength(1);
    const sentence = refused.errors[0] ?? '';
    expect(sentence).toMatch(
      /^Apple will not create another DISTRIBUTION certificate: the account already has as many current ones as Apple allows \(Apple: 409 /,
    );
    expect(sentence).toContain(`'Apple Distribution: Simulated Team' by 'Created via API' (${otherId}, expires `);
    expect(sentence).toContain(`'Apple Distribution: Simulated Team' by 'Simulated Team' (${old.id}, expires ${days(10).toISOString().slice(0, 10)})`);
    expect(sentence).toContain('set revoke-certificate-id to one of them');
    expect(sim.state().certificates).toHaveLength(2);

    const revoked = await download(renewInputs({ 'revoke-certificate-id': otherId }));
    expect(revoked.exitCode, revoked.stdout).toBe(0);
    expect(revoked.outputs).toMatchObject({ renewed: 'true', 'previous-certificate-id': old.id });
    expect(sim.state().certificates.map((c) => c.id)).not.toContain(otherId);
    expect(revoked.warnings.some((w) => w.startsWith(`Revoked certificate 'Apple Distribution: Simulated Team' (${otherId}`))).toBe(true);
  });
});

describe('revoke-certificate-id (bundled)', { timeout: 180_000 }, () => {
  it('is refused while a current profile holds the certificate, naming it; force-revoke revokes it and the profile turns INVALID', async () => {
    const app = sim.seed.bundleId({ identifier: 'com.example.app' });
    const cert = sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    const profile = sim.seed.profile({ name: 'Store', profileType: 'IOS_APP_STORE', bundleId: app.id, certificateIds: [cert.id] });
    const inputs = { ...apiInputs(sim, key), 'certificate-type': 'DISTRIBUTION', 'create-if-missing': 'true', 'revoke-certificate-id': cert.id };

    const refused = await runStep('download-certificate', inputs);
    expect(refused.exitCode).toBe(1);
    expect(refused.errors).toEqual([
      `Not revoking certificate 'Apple Distribution: Simulated Team' (${cert.id}, DISTRIBUTION, expires ${cert.expirationDate.toISOString().slice(0, 10)}): 1 current profile(s) hold it ('Store' (${profile.id})), and Apple makes them INVALID, so builds signing with them fail; move them to another certificate first (ensure-profile with certificate-ids, or provision), pick another certificate to revoke, or set force-revoke: true.`,
    ]);
    expect(sim.requests.filter((r) => r.method !== 'GET')).toEqual([]);

    const forced = await runStep('download-certificate', { ...inputs, 'force-revoke': 'true' });
    expect(forced.exitCode, forced.stdout).toBe(0);
    expect(sim.state().certificates.map((c) => c.id)).not.toContain(cert.id);
    expect(sim.state().profiles.find((p) => p.id === profile.id)?.profileState).toBe('INVALID');
    expect(forced.warnings.some((w) => w.includes('1 profile(s) that held it are now INVALID'))).toBe(true);

    // A rerun with the same input: the certificate is gone already, which is what was asked.
    const again = await runStep('download-certificate', { ...inputs, 'force-revoke': 'true' });
    expect(again.exitCode, again.stdout).toBe(0);
    expect(again.stdout).toContain(`Certificate ${cert.id} (revoke-certificate-id) is not on the account: it was revoked already.`);
  });

  it('on the Enterprise Program API refuses a distribution certificate without force-revoke, even when nothing holds it', async () => {
    const ent = sim.addKey({ api: 'enterprise' });
    const cert = sim.seed.certificate({ certificateType: 'DISTRIBUTION', api: 'enterprise' });
    const inputs = { ...apiInputs(sim, ent), 'certificate-type': 'DISTRIBUTION', 'create-if-missing': 'true', 'revoke-certificate-id': cert.id };
    const refused = await runStep('download-certificate', inputs);
    expect(refused.exitCode).toBe(1);
    expect(refused.errors).toEqual([
      expect.stringMatching(/revoking a distribution certificate stops every installed In-House app signed with it, on every device; set force-revoke: true/),
    ]);
    expect(sim.state('enterprise').certificates).toHaveLength(1);
    const forced = await runStep('download-certificate', { ...inputs, 'force-revoke': 'true' });
    expect(forced.exitCode, forced.stdout).toBe(0);
    expect(sim.state('enterprise').certificates.map((c) => c.id)).not.toContain(cert.id);
  });
});

describe('profiles follow the successor', { timeout: 180_000 }, () => {
  it('provision moves the profile to the successor in the same step', async () => {
    const app = sim.seed.bundleId({ identifier: 'com.example.app' });
    const old = await storedCertificate('DISTRIBUTION', 10);
    sim.seed.profile({ name: 'com.example.app IOS_APP_STORE', profileType: 'IOS_APP_STORE', bundleId: app.id, certificateIds: [old.id] });
    const run = await runStep(
      'provision',
      { ...renewInputs(), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_STORE', import: 'false' },
      await runner(),
    );
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ renewed: 'true', 'previous-certificate-id': old.id, 'certificate-created': 'true', created: 'true' });
    const successor = run.outputs['certificate-id'] ?? '';
    expect(onlyProfile(sim, 'com.example.app IOS_APP_STORE').certificateIds).toEqual([successor]);
    expect(sim.state().certificates.map((c) => c.id)).toContain(old.id);
  });

  it('ensure-profile keeps the profile on the old certificate until it is within min-days-valid, then moves it to the newer one', async () => {
    const app = sim.seed.bundleId({ identifier: 'com.example.app' });
    const old = sim.seed.certificate({ certificateType: 'DISTRIBUTION', expiresAt: days(20) });
    const successor = sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    const name = 'com.example.app IOS_APP_STORE';
    const first = sim.seed.profile({ name, profileType: 'IOS_APP_STORE', bundleId: app.id, certificateIds: [old.id] });
    const inputs = { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_STORE', install: 'false' };

    const early = await runStep('ensure-profile', { ...inputs, 'min-days-valid': '10' });
    expect(early.exitCode, early.stdout).toBe(0);
    expect(early.outputs).toMatchObject({ decision: 'keep', 'profile-id': first.id });

    const due = await runStep('ensure-profile', { ...inputs, 'min-days-valid': '30' });
    expect(due.exitCode, due.stdout).toBe(0);
    expect(due.outputs['decision']).toBe('recreate');
    expect(onlyProfile(sim, name).certificateIds).toEqual([successor.id]);
  });
});
