import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ApiKeyCredentials, Simulator } from '../../simulator/index.js';
import { simulatorPerTest } from '../support/simulator-per-test.js';
import { apiInputs, DAY, XCODE_DIRS } from '../profiles/helpers.js';
import { runCliBundle, runStep } from '../support/runner.js';

let sim: Simulator;
let key: ApiKeyCredentials;

simulatorPerTest({}, (s, k) => {
  sim = s;
  key = k;
});

interface Finding {
  kind: string;
  id: string;
  name: string;
  problem: string;
  detail: string;
  urgency: number;
  inUse: boolean;
  action: string;
}
interface Report {
  counts: Record<string, number>;
  findings: Finding[];
  slots: { certificateType: string; current: number; expired: number }[];
  certificates: { id: string; status: string }[];
}

const days = (n: number): Date => new Date(Date.now() + n * DAY);

/** An account with one of each problem for com.example.app, a healthy profile, and a leftover of another app. */
function seedAccount(s: Simulator) {
  const app = s.seed.bundleId({ identifier: 'com.example.app' });
  const other = s.seed.bundleId({ identifier: 'com.example.other' });
  const dist = s.seed.certificate({ certificateType: 'DISTRIBUTION' });
  const distSoon = s.seed.certificate({ certificateType: 'DISTRIBUTION', expiresAt: days(10) });
  const distGone = s.seed.certificate({ certificateType: 'DISTRIBUTION', expiresAt: days(-5) });
  const iosDev = s.seed.certificate({ certificateType: 'IOS_DEVELOPMENT' });
  const devSoon = s.seed.certificate({ certificateType: 'DEVELOPMENT', expiresAt: days(20) });
  const phone = s.seed.device({ udid: '00008110-000A1B2C3D4E5F60', name: 'Ready iPhone' });
  s.seed.device({ udid: '00008120-001122334455AABB', name: 'New iPad', status: 'PROCESSING' });
  s.seed.device({ udid: '00008130-00AABBCCDDEEFF00', name: 'Old iPhone', status: 'DISABLED' });
  const p = (name: string, o: { certs?: string[]; expiresAt?: Date; state?: 'INVALID'; type?: string; bundle?: string; devices?: string[] } = {}) =>
    s.seed.profile({
      name,
      profileType: o.type ?? 'IOS_APP_STORE',
      bundleId: o.bundle ?? app.id,
      certificateIds: o.certs ?? [dist.id],
      ...(o.devices ? { deviceIds: o.devices } : {}),
      ...(o.expiresAt ? { expiresAt: o.expiresAt } : {}),
      ...(o.state ? { state: o.state } : {}),
    });
  return {
    distSoon,
    distGone,
    devSoon,
    healthy: p('App Store'),
    // Apple still says ACTIVE after the date (docs/apple-facts.md §1.6).
    expired: p('Old Ad Hoc', { type: 'IOS_APP_ADHOC', certs: [distGone.id], expiresAt: days(-5), devices: [phone.id] }),
    invalid: p('Broken Store', { state: 'INVALID' }),
    dupOld: p('Twice', { expiresAt: days(200) }),
    dupNew: p('Twice'),
    expiring: p('Short Store', { expiresAt: days(12) }),
    // Apple dates a profile no later than its certificate: this one ends with distSoon.
    bound: p('Bound Store', { certs: [distSoon.id] }),
    // A development profile holding two certificates, one of which expires soon.
    certBound: p('Dev', { type: 'IOS_APP_DEVELOPMENT', certs: [iosDev.id, devSoon.id], expiresAt: days(300), devices: [phone.id] }),
    otherLeftover: p('Other Old', { bundle: other.id, expiresAt: days(-3) }),
  };
}

const reportOf = (outputs: Record<string, string>): Report => JSON.parse(outputs['report'] ?? '{}') as Report;
const rows = (r: Report): string[] => r.findings.map((f) => `${f.urgency} ${f.kind} ${f.name} ${f.problem}`);

describe('signing-report (bundled action)', () => {
  it('reports each kind of problem with its fix, most urgent first, and the counts, without writing', async () => {
    const a = seedAccount(sim);
    const run = await runStep('signing-report', { ...apiInputs(sim, key) });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(sim.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    const report = reportOf(run.outputs);
    expect(rows(report)).toEqual([
      '0 profile Broken Store invalid',
      '1 certificate Apple Distribution: Simulated Team expiring',
      '1 profile Bound Store expiring',
      '1 profile Short Store expiring',
      '1 certificate Apple Development: Simulated Team expiring',
      '1 profile Dev certificate-expiring',
      '2 certificate Apple Distribution: Simulated Team expired',
      '2 profile Old Ad Hoc expired',
      '2 profile Other Old expired',
      '2 profile Twice duplicate',
      '3 device New iPad processing',
      '3 device Old iPhone disabled',
    ]);
    const f = (name: string): Finding => report.findings.find((x) => x.name === name) as Finding;
    expect(f('Old Ad Hoc').detail).toMatch(/expired on .* \(Apple still calls it ACTIVE\)/);
    expect(f('Old Ad Hoc').action).toMatch(/^prune-profiles deletes it/);
    expect(f('Twice').id).toBe(a.dupOld.id);
    expect(f('Twice').action).toBe(`prune-profiles deletes it; the newest valid profile of the name (${a.dupNew.id}) stays.`);
    expect(f('Bound Store').detail).toContain(`bound by certificate Apple Distribution: Simulated Team (${a.distSoon.id})`);
    expect(f('Bound Store').action).toMatch(new RegExp(`^Renew certificate ${a.distSoon.id} first`));
    expect(f('Dev').detail).toContain(`holds certificate Apple Development: Simulated Team (${a.devSoon.id})`);
    expect(f('Broken Store').action).toMatch(/^ensure-profile recreates it/);
    expect(f('New iPad').action).toMatch(/24 to 72 hours/);
    expect(report.findings.find((x) => x.id === a.distSoon.id)?.action).toMatch(/renew-days: 30/);
    expect(report.counts).toEqual({ expiring: 5, expired: 3, invalid: 1, duplicates: 1 });
    expect(run.outputs).toMatchObject({ expiring: '5', expired: '3', invalid: '1', duplicates: '1' });
    expect(report.slots).toEqual([
      { certificateType: 'DEVELOPMENT', current: 1, expired: 0 },
      { certificateType: 'DISTRIBUTION', current: 2, expired: 1 },
      { certificateType: 'IOS_DEVELOPMENT', current: 1, expired: 0 },
    ]);
    // The file holds the same report.
    expect(JSON.parse(await readFile(run.outputs['report-path'] ?? '', 'utf8'))).toEqual(report);
    // Summary: the table a person acts on, with the fix per row; annotations for what expires or broke.
    expect(run.summary).toContain('what needs attention');
    expect(run.summary).toContain('Certificate slots used, by type');
    expect(run.summary.indexOf('Broken Store')).toBeLessThan(run.summary.indexOf('Old Ad Hoc'));
    expect(run.warnings.some((w) => w.includes('Broken Store'))).toBe(true);
    expect(run.notices.some((w) => w.includes('Old Ad Hoc'))).toBe(true);
  });

  it('fail-days fails only on what is in use, naming it; expired leftovers are not failed on', async () => {
    const a = seedAccount(sim);
    const run = await runStep('signing-report', { ...apiInputs(sim, key), 'fail-days': '15' });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    const error = run.errors[0] ?? '';
    expect(error).toMatch(/^3 certificate\(s\) or profile\(s\) in use expire within fail-days \(15 days\): /);
    expect(error).toContain(`certificate Apple Distribution: Simulated Team (${a.distSoon.id}`);
    expect(error).toContain(`profile 'Short Store' (${a.expiring.id}`);
    expect(error).toContain(`profile 'Bound Store' (${a.bound.id}`);
    expect(error).not.toContain('Old Ad Hoc');
    expect(error).not.toContain(a.distGone.id);
    // The outputs are still there for the next step.
    expect(run.outputs['expiring']).toBe('5');

    const quiet = await runStep('signing-report', { ...apiInputs(sim, key), 'fail-days': '5' });
    expect(quiet.exitCode, quiet.stdout).toBe(0);
  });

  it('reads an account of 50 profiles and 10 certificates in three requests', async () => {
    const app = sim.seed.bundleId({ identifier: 'com.example.app' });
    const certs = Array.from({ length: 10 }, () => sim.seed.certificate({ certificateType: 'DISTRIBUTION' }));
    for (let n = 0; n < 50; n++) sim.seed.profile({ name: `P${n}`, profileType: 'IOS_APP_STORE', bundleId: app.id, certificateIds: [certs[n % 10]?.id ?? ''] });
    const run = await runStep('signing-report', { ...apiInputs(sim, key) });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(sim.requests.map((r) => `${r.method} ${r.path}`).sort()).toEqual(['GET /v1/certificates', 'GET /v1/devices', 'GET /v1/profiles']);
    // Without the profile files: the listing asks for every field but profileContent.
    const profiles = sim.requests.find((r) => r.path === '/v1/profiles');
    expect(profiles?.query['fields[profiles]']).not.toContain('profileContent');
    expect(reportOf(run.outputs).counts).toEqual({ expiring: 0, expired: 0, invalid: 0, duplicates: 0 });
    expect(run.summary).toContain('Nothing needs attention');
  });
});

describe('prune-profiles (bundled action)', () => {
  async function installFakes(home: string, uuids: string[]): Promise<void> {
    for (const d of XCODE_DIRS) {
      await mkdir(path.join(home, d), { recursive: true });
      for (const u of uuids) await writeFile(path.join(home, d, `${u}.mobileprovision`), 'x');
    }
  }

  it('deletes what can no longer be used within bundle-id (dry run first), removes installed copies, and a second report shows the problems gone', async () => {
    const a = seedAccount(sim);
    const home = await mkdtemp(path.join(tmpdir(), 'asa-home-'));
    await installFakes(home, [a.expired.uuid, a.dupOld.uuid, a.healthy.uuid]);
    sim.clearRequests();

    const dry = await runStep('prune-profiles', { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', 'dry-run': 'true' }, { home });
    expect(dry.exitCode, dry.stdout).toBe(0);
    expect(dry.outputs['deleted']).toBe('0');
    const would = JSON.parse(dry.outputs['profiles'] ?? '[]') as { id: string; reason: string }[];
    expect(would.map((p) => `${p.id} ${p.reason}`).sort()).toEqual([`${a.dupOld.id} duplicate`, `${a.expired.id} expired`, `${a.invalid.id} invalid`].sort());
    expect(sim.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(sim.requests).toHaveLength(1);
    expect(dry.summary).toContain('dry run: nothing deleted');

    const run = await runStep('prune-profiles', { ...apiInputs(sim, key), 'bundle-id': 'com.example.app' }, { home });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs['deleted']).toBe('3');
    const left = sim
      .state()
      .profiles.map((p) => p.name)
      .sort();
    // The healthy, expiring and newest-of-name profiles stay, and so does the other app's leftover.
    expect(left).toEqual(['App Store', 'Bound Store', 'Dev', 'Other Old', 'Short Store', 'Twice']);
    expect(sim.state().profiles.find((p) => p.name === 'Twice')?.id).toBe(a.dupNew.id);
    for (const d of XCODE_DIRS) expect(await readdir(path.join(home, d))).toEqual([`${a.healthy.uuid}.mobileprovision`]);

    const after = await runStep('signing-report', { ...apiInputs(sim, key), 'bundle-id': 'com.example.app' });
    expect(after.exitCode, after.stdout).toBe(0);
    const report = reportOf(after.outputs);
    expect(report.counts).toEqual({ expiring: 5, expired: 0, invalid: 0, duplicates: 0 });
    expect(report.findings.filter((f) => f.kind === 'profile').map((f) => f.problem)).toEqual(['expiring', 'expiring', 'certificate-expiring']);
  });

  it('with name-prefix only, touches nothing outside it', async () => {
    const a = seedAccount(sim);
    const run = await runStep('prune-profiles', { ...apiInputs(sim, key), 'name-prefix': 'Other' });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(JSON.parse(run.outputs['profiles'] ?? '[]')).toEqual([expect.objectContaining({ id: a.otherLeftover.id, reason: 'expired' })]);
    expect(sim.state().profiles).toHaveLength(8);
  });

  it('refuses to run without bundle-id or name-prefix, in one sentence, before any request', async () => {
    seedAccount(sim);
    const run = await runStep('prune-profiles', { ...apiInputs(sim, key) });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([expect.stringMatching(/^prune-profiles needs bundle-id or name-prefix \(or both\)/)]);
    expect(sim.requests).toEqual([]);
  });
});

describe('command line (bundled cli)', () => {
  it('signing-report and prune-profiles run as commands with the same inputs', async () => {
    const a = seedAccount(sim);
    const home = await mkdtemp(path.join(tmpdir(), 'asa-home-'));
    const keyFile = path.join(home, 'AuthKey.p8');
    await writeFile(keyFile, key.privateKeyPem);
    const flags = ['--key-id', key.keyId, '--issuer-id', key.issuerId ?? '', '--private-key-file', keyFile, '--api-base-url', sim.url];
    const report = await runCliBundle(['signing-report', ...flags, '--json'], { HOME: home });
    expect(report.code, report.stderr).toBe(0);
    expect(JSON.parse(report.stdout)).toMatchObject({ expiring: 5, expired: 3, invalid: 1, duplicates: 1 });
    const pruned = await runCliBundle(['prune-profiles', ...flags, '--name-prefix', 'Other', '--json'], { HOME: home });
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(JSON.parse(pruned.stdout)).toMatchObject({ deleted: 1 });
    expect(sim.state().profiles.map((p) => p.id)).not.toContain(a.otherLeftover.id);
  });
});
