import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'plist';
import { describe, expect, it } from 'vitest';
import type { ApiKeyCredentials, Simulator } from '../../simulator/index.js';
import { simulatorPerTest } from '../support/simulator-per-test.js';
import { findLeaks, runStep } from '../support/runner.js';
import { apiInputs, DAY, gets, installed, onlyProfile, profilesNamed, profilesOutput, writes, XCODE_DIRS } from './helpers.js';

let sim: Simulator;
let key: ApiKeyCredentials;

simulatorPerTest({ immediateDevices: 1000 }, (s, k) => {
  sim = s;
  key = k;
});

const STORE = 'com.example.app IOS_APP_STORE';
const DEV = 'com.example.app IOS_APP_DEVELOPMENT';

/** An account with com.example.app (and com.example.app.widget, which Apple's prefix filter also returns) and a distribution certificate. */
function storeAccount() {
  const app = sim.seed.bundleId({ identifier: 'com.example.app' });
  const widget = sim.seed.bundleId({ identifier: 'com.example.app.widget' });
  const cert = sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
  return { app, widget, cert };
}

function devAccount() {
  const app = sim.seed.bundleId({ identifier: 'com.example.app' });
  const cert = sim.seed.certificate({ certificateType: 'IOS_DEVELOPMENT' });
  const phone = sim.seed.device({ udid: '00008110-000A1B2C3D4E5F60', name: 'Ana iPhone' });
  const mac = sim.seed.device({ udid: '00008103-000A1B2C3D4E5F61', name: 'Build Mac', platform: 'MAC_OS' });
  return { app, cert, phone, mac };
}

describe('ensure-profile (bundled, over HTTP against the simulator)', () => {
  it('creates a missing App Store profile for the exact bundle ID, installs it in both Xcode locations and reports it', async () => {
    const { app } = storeAccount();
    const run = await runStep('ensure-profile', { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_STORE' });
    expect(run.exitCode, run.stdout).toBe(0);
    const p = onlyProfile(sim, STORE);
    expect(p.bundleIdId).toBe(app.id);
    expect(run.outputs).toMatchObject({
      'profile-id': p.id,
      'profile-uuid': p.uuid,
      'profile-name': STORE,
      'profile-type': 'IOS_APP_STORE',
      'expiration-date': p.expirationDate.toISOString(),
      'team-id': 'SIMTEAM123',
      created: 'true',
      decision: 'create',
      'profile-base64': p.profileContent,
    });
    const file = `${p.uuid}.mobileprovision`;
    expect(await installed(run.home)).toEqual([[file], [file]]);
    expect(run.outputs['profile-path']).toBe(path.join(run.home, XCODE_DIRS[0] as string, file));
    for (const dir of XCODE_DIRS) expect((await readFile(path.join(run.home, dir, file))).equals(Buffer.from(p.profileContent, 'base64'))).toBe(true);
    expect(profilesOutput(run.outputs)).toEqual([
      {
        bundleId: 'com.example.app',
        profileId: p.id,
        profileUuid: p.uuid,
        profileName: STORE,
        profileType: 'IOS_APP_STORE',
        profilePath: run.outputs['profile-path'],
        expirationDate: p.expirationDate.toISOString(),
        teamId: 'SIMTEAM123',
        created: true,
        decision: 'create',
        reason: 'no profile of this name exists',
      },
    ]);
    expect(run.summary).toContain('com.example.app');
    expect(run.summary).toContain('created');
    expect(writes(sim)).toEqual(['POST /v1/profiles']);
    expect(findLeaks(run.stdout + run.stderr + run.summary, [key.privateKeyPem])).toEqual([]);
  });

  it('keeps a valid profile with zero writes and a single request on the warm path', async () => {
    const { app, cert } = storeAccount();
    const seeded = sim.seed.profile({ name: STORE, profileType: 'IOS_APP_STORE', bundleId: app.id, certificateIds: [cert.id] });
    const run = await runStep('ensure-profile', { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_STORE' });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(sim.requests).toHaveLength(1);
    expect(sim.requests[0]?.path).toBe('/v1/profiles');
    expect(writes(sim)).toEqual([]);
    expect(run.outputs).toMatchObject({ 'profile-id': seeded.id, 'profile-uuid': seeded.uuid, created: 'false', decision: 'keep' });
    expect(await installed(run.home)).toEqual([[`${seeded.uuid}.mobileprovision`], [`${seeded.uuid}.mobileprovision`]]);
    expect(run.warnings).toEqual([]);
  });

  it('keeps a valid development profile with two requests (profiles with includes, devices) and no writes', async () => {
    const { app, cert, phone } = devAccount();
    const seeded = sim.seed.profile({ name: DEV, profileType: 'IOS_APP_DEVELOPMENT', bundleId: app.id, certificateIds: [cert.id], deviceIds: [phone.id] });
    const run = await runStep('ensure-profile', { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_DEVELOPMENT' });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(gets(sim).sort()).toEqual(['/v1/devices', '/v1/profiles']);
    expect(sim.requests).toHaveLength(2);
    expect(run.outputs).toMatchObject({ 'profile-uuid': seeded.uuid, created: 'false', decision: 'keep' });
  });

  it('keeps a development profile holding more devices than Apple includes (50) with still two requests', async () => {
    const { app, cert, phone } = devAccount();
    const more = Array.from({ length: 59 }, (_, n) =>
      sim.seed.device({ udid: `00008101-${n.toString(16).toUpperCase().padStart(16, '0')}`, name: `Phone ${n}` }),
    );
    const seeded = sim.seed.profile({
      name: DEV,
      profileType: 'IOS_APP_DEVELOPMENT',
      bundleId: app.id,
      certificateIds: [cert.id],
      deviceIds: [phone.id, ...more.map((d) => d.id)],
    });
    const run = await runStep('ensure-profile', { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_DEVELOPMENT' });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ 'profile-uuid': seeded.uuid, decision: 'keep' });
    expect(sim.requests).toHaveLength(2);
  });

  it('puts exactly the certificates given in certificate-ids in, and recreates a profile lacking one of them', async () => {
    const { app, cert, phone } = devAccount();
    const unified = sim.seed.certificate({ certificateType: 'DEVELOPMENT' });
    const old = sim.seed.profile({ name: DEV, profileType: 'IOS_APP_DEVELOPMENT', bundleId: app.id, certificateIds: [cert.id], deviceIds: [phone.id] });
    const run = await runStep('ensure-profile', {
      ...apiInputs(sim, key),
      'bundle-id': 'com.example.app',
      'profile-type': 'IOS_APP_DEVELOPMENT',
      'certificate-ids': unified.id,
    });
    expect(run.exitCode, run.stdout).toBe(0);
    const p = onlyProfile(sim, DEV);
    expect(p.id).not.toBe(old.id);
    expect(p.certificateIds).toEqual([unified.id]);
    expect(profilesOutput(run.outputs)[0]?.reason).toBe(`it lacks certificate ${unified.id}`);
    // Without certificate-ids a development profile gets every valid fitting certificate.
    const all = await runStep('rotate-profile', { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_DEVELOPMENT' });
    expect(all.exitCode, all.stdout).toBe(0);
    expect(onlyProfile(sim, DEV).certificateIds.sort()).toEqual([cert.id, unified.id].sort());
  });

  it('recreates the profile when a device was added, leaving PROCESSING devices out and saying so', async () => {
    const { app, cert, phone } = devAccount();
    const old = sim.seed.profile({ name: DEV, profileType: 'IOS_APP_DEVELOPMENT', bundleId: app.id, certificateIds: [cert.id], deviceIds: [phone.id] });
    const first = await runStep('ensure-profile', { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_DEVELOPMENT' });
    expect(first.outputs['decision']).toBe('keep');
    const ipad = sim.seed.device({ udid: '00008120-001122334455AABB', name: 'Ben iPad' });
    sim.seed.device({ udid: '00008130-00AABBCCDDEEFF00', name: 'New Phone', status: 'PROCESSING' });
    sim.clearRequests();
    const run = await runStep(
      'ensure-profile',
      { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_DEVELOPMENT' },
      { home: first.home },
    );
    expect(run.exitCode, run.stdout).toBe(0);
    const p = onlyProfile(sim, DEV);
    expect(p.id).not.toBe(old.id);
    expect(p.deviceIds.sort()).toEqual([phone.id, ipad.id].sort());
    expect(run.outputs).toMatchObject({ created: 'true', decision: 'recreate', 'profile-uuid': p.uuid });
    expect(profilesOutput(run.outputs)[0]?.reason).toMatch(/lacks 1 enabled device\(s\): Ben iPad/);
    expect(writes(sim)).toEqual([`DELETE /v1/profiles/${old.id}`, 'POST /v1/profiles']);
    // The old file is gone from both locations, the new one is there.
    expect(await installed(run.home)).toEqual([[`${p.uuid}.mobileprovision`], [`${p.uuid}.mobileprovision`]]);
    expect(run.notices.join('\n')).toMatch(/1 device\(s\) are PROCESSING .*New Phone/);
    expect(run.summary).toContain('PROCESSING');
    expect(run.summary).toContain('recreated');
  });

  it('recreates the profile when its certificate was revoked, with another valid certificate', async () => {
    const { app, cert } = storeAccount();
    const spare = sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    const old = sim.seed.profile({ name: STORE, profileType: 'IOS_APP_STORE', bundleId: app.id, certificateIds: [cert.id] });
    sim.revokeCertificate(cert.id);
    const run = await runStep('ensure-profile', { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_STORE' });
    expect(run.exitCode, run.stdout).toBe(0);
    const p = onlyProfile(sim, STORE);
    expect(p.id).not.toBe(old.id);
    expect(p.certificateIds).toEqual([spare.id]);
    expect(run.outputs).toMatchObject({ created: 'true', decision: 'recreate' });
    expect(profilesOutput(run.outputs)[0]?.reason).toMatch(/INVALID|no valid DISTRIBUTION/);
  });

  it('recreates a profile expiring within min-days-valid and warns about a certificate that expires soon', async () => {
    const { app } = storeAccount();
    const shortCert = sim.seed.certificate({ certificateType: 'IOS_DISTRIBUTION', expiresAt: new Date(Date.now() + 12 * DAY) });
    const old = sim.seed.profile({
      name: STORE,
      profileType: 'IOS_APP_STORE',
      bundleId: app.id,
      certificateIds: [shortCert.id],
      expiresAt: new Date(Date.now() + 10 * DAY),
    });
    const run = await runStep('ensure-profile', {
      ...apiInputs(sim, key),
      'bundle-id': 'com.example.app',
      'profile-type': 'IOS_APP_STORE',
      'min-days-valid': '30',
    });
    expect(run.exitCode, run.stdout).toBe(0);
    const p = onlyProfile(sim, STORE);
    expect(p.id).not.toBe(old.id);
    expect(profilesOutput(run.outputs)[0]?.reason).toMatch(/expires on .*, in 9 days \(min-days-valid 30\)/);
    // The longest-valid DISTRIBUTION certificate is the one chosen; no warning about it.
    expect(p.certificateIds).toHaveLength(1);
    expect(p.certificateIds[0]).not.toBe(shortCert.id);
    expect(run.warnings).toEqual([]);

    // With only the short certificate left, the profile it makes cannot outlive it: a warning says so.
    for (const c of sim.state().certificates) if (c.id !== shortCert.id) sim.revokeCertificate(c.id);
    const again = await runStep('ensure-profile', {
      ...apiInputs(sim, key),
      'bundle-id': 'com.example.app',
      'profile-type': 'IOS_APP_STORE',
      'min-days-valid': '30',
    });
    expect(again.exitCode, again.stdout).toBe(0);
    expect(onlyProfile(sim, STORE).certificateIds).toEqual([shortCert.id]);
    expect(again.warnings.join('\n')).toMatch(/Certificate .*expires on .*within min-days-valid \(30 days\)/);
  });

  it('keeps a profile its only fitting certificate keeps from lasting longer, run after run, and warns to renew that certificate', async () => {
    const app = sim.seed.bundleId({ identifier: 'com.example.app' });
    const short = sim.seed.certificate({ certificateType: 'DISTRIBUTION', expiresAt: new Date(Date.now() + 17 * DAY) });
    const seeded = sim.seed.profile({ name: STORE, profileType: 'IOS_APP_STORE', bundleId: app.id, certificateIds: [short.id] });
    expect(seeded.expirationDate.getTime()).toBe(short.expirationDate.getTime());
    const inputs = { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_STORE', 'min-days-valid': '30' };
    const day = short.expirationDate.toISOString().slice(0, 10);
    for (const n of [1, 2]) {
      sim.clearRequests();
      const run = await runStep('ensure-profile', inputs);
      expect(run.exitCode, run.stdout).toBe(0);
      expect(writes(sim), `run ${n}`).toEqual([]);
      // The profile listing, then the fitting certificates (to learn that none outlives the profile).
      expect(gets(sim).sort()).toEqual(['/v1/certificates', '/v1/profiles']);
      expect(run.outputs).toMatchObject({ 'profile-uuid': seeded.uuid, created: 'false', decision: 'keep' });
      expect(run.warnings).toEqual([
        expect.stringMatching(
          new RegExp(
            `^Profile '${STORE}' expires on ${day}, within min-days-valid \\(30 days\\), and was kept: a profile cannot outlive its certificate, and certificate .*${short.id}\\) expires on ${day}; renew that certificate`,
          ),
        ),
      ]);
    }
    // Once a certificate that lasts longer exists, the next run moves the profile onto it.
    const fresh = sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    const renewed = await runStep('ensure-profile', inputs);
    expect(renewed.outputs).toMatchObject({ created: 'true', decision: 'recreate' });
    expect(onlyProfile(sim, STORE).certificateIds).toEqual([fresh.id]);
  });

  it('recreates an expired profile that Apple still reports as ACTIVE, judging by its expirationDate', async () => {
    const { app, cert } = storeAccount();
    const old = sim.seed.profile({
      name: STORE,
      profileType: 'IOS_APP_STORE',
      bundleId: app.id,
      certificateIds: [cert.id],
      expiresAt: new Date(Date.now() - DAY),
      state: 'ACTIVE',
    });
    expect(old.profileState).toBe('ACTIVE');
    const run = await runStep('ensure-profile', { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_STORE' });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(onlyProfile(sim, STORE).id).not.toBe(old.id);
    expect(profilesOutput(run.outputs)[0]?.reason).toMatch(/^expired on /);
  });

  it('matches the bundle ID exactly: an identifier only a prefix filter would match is refused, naming close matches', async () => {
    sim.seed.bundleId({ identifier: 'com.example.app.widget' });
    sim.seed.bundleId({ identifier: 'com.example.apps' });
    sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    const run = await runStep('ensure-profile', { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_STORE' });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(
      /^Bundle ID 'com\.example\.app' \(close matches: .*com\.example\.app\.widget.*\) is not registered on this team \(matched exactly\)/,
    );
    expect(run.errors[0]).toContain('com.example.apps');
    expect(writes(sim)).toEqual([]);
  });

  it('converges several bundle IDs in one pass over shared listings, one profile each named after its bundle ID', async () => {
    storeAccount();
    sim.seed.bundleId({ identifier: 'com.example.app.intents' });
    const ids = ['com.example.app', 'com.example.app.widget', 'com.example.app.intents'];
    const run = await runStep('ensure-profile', { ...apiInputs(sim, key), 'bundle-id': ids.join('\n'), 'profile-type': 'IOS_APP_STORE' });
    expect(run.exitCode, run.stdout).toBe(0);
    // One listing each of profiles, bundle IDs and certificates, then one create per bundle ID.
    expect(gets(sim).sort()).toEqual(['/v1/bundleIds', '/v1/certificates', '/v1/profiles']);
    expect(writes(sim)).toEqual(['POST /v1/profiles', 'POST /v1/profiles', 'POST /v1/profiles']);
    const out = profilesOutput(run.outputs);
    expect(out.map((o) => [o.bundleId, o.profileName, o.created])).toEqual(ids.map((id) => [id, `${id} IOS_APP_STORE`, true]));
    const bundles = new Map(sim.state().bundleIds.map((b) => [b.id, b.identifier]));
    for (const id of ids) expect(bundles.get(onlyProfile(sim, `${id} IOS_APP_STORE`).bundleIdId)).toBe(id);
    expect(run.outputs['profile-uuid']).toBe(out[0]?.profileUuid);
    expect((await installed(run.home))[0]).toHaveLength(3);

    sim.clearRequests();
    const warm = await runStep('ensure-profile', { ...apiInputs(sim, key), 'bundle-id': ids.join(','), 'profile-type': 'IOS_APP_STORE' });
    expect(warm.exitCode).toBe(0);
    expect(sim.requests).toHaveLength(1);
    expect(profilesOutput(warm.outputs).map((o) => o.decision)).toEqual(['keep', 'keep', 'keep']);
  });

  it('makes In-House profiles on the Enterprise Program API', async () => {
    const ent = sim.addKey({ api: 'enterprise' });
    const app = sim.seed.bundleId({ identifier: 'com.example.app', api: 'enterprise' });
    sim.seed.certificate({ certificateType: 'DISTRIBUTION', api: 'enterprise' });
    const run = await runStep('ensure-profile', { ...apiInputs(sim, ent), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_INHOUSE' });
    expect(run.exitCode, run.stdout).toBe(0);
    const p = onlyProfile(sim, 'com.example.app IOS_APP_INHOUSE', 'enterprise');
    expect(p.bundleIdId).toBe(app.id);
    expect(sim.state().profiles).toEqual([]);
    expect(sim.requests.every((r) => r.api === 'enterprise')).toBe(true);
    sim.clearRequests();
    const warm = await runStep('ensure-profile', { ...apiInputs(sim, ent), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_INHOUSE' });
    expect(warm.outputs).toMatchObject({ decision: 'keep', 'profile-uuid': p.uuid });
    expect(sim.requests).toHaveLength(1);
  });

  it('refuses an individual key (empty issuer-id) before any request, in one sentence asking for a team key', async () => {
    const personal = sim.addKey({ kind: 'individual' });
    expect(personal.issuerId).toBeUndefined();
    storeAccount();
    const run = await runStep('ensure-profile', { ...apiInputs(sim, personal), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_STORE' });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      expect.stringMatching(
        /^Input issuer-id is required: individual API keys cannot use Apple's provisioning endpoints \(devices, bundle IDs, certificates, profiles\), so use a team key .* with the Admin role.* and pass its issuer ID\.$/,
      ),
    ]);
    expect(sim.requests).toEqual([]);
    expect(profilesNamed(sim, STORE)).toEqual([]);
  });

  it('with install: false writes no file and still outputs the profile', async () => {
    storeAccount();
    const run = await runStep('ensure-profile', { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_STORE', install: 'false' });
    expect(run.exitCode, run.stdout).toBe(0);
    const p = onlyProfile(sim, STORE);
    expect(run.outputs).toMatchObject({ 'profile-uuid': p.uuid, 'profile-path': '', 'profile-base64': p.profileContent });
    expect(await installed(run.home)).toEqual([[], []]);
  });

  it('rides out a 429 and a 503 during the listings', async () => {
    storeAccount();
    sim.faults.add({ method: 'GET', path: '/v1/profiles', status: 429, retryAfter: 0 });
    sim.faults.add({ method: 'GET', path: '/v1/certificates', status: 503 });
    const run = await runStep('ensure-profile', { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_STORE' });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(
      sim.requests
        .filter((r) => r.status === 429 || r.status === 503)
        .map((r) => `${r.status} ${r.path}`)
        .sort(),
    ).toEqual(['429 /v1/profiles', '503 /v1/certificates']);
    expect(profilesNamed(sim, STORE)).toHaveLength(1);
  });

  it('leaves exactly one profile when a create fails with 500 before Apple committed it', async () => {
    storeAccount();
    sim.faults.add({ method: 'POST', path: '/v1/profiles', status: 500 });
    const run = await runStep('ensure-profile', { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_STORE' });
    expect(run.exitCode, run.stdout).toBe(0);
    const p = onlyProfile(sim, STORE);
    expect(run.outputs['profile-uuid']).toBe(p.uuid);
    // Failed create, re-read by name (nothing), one more create.
    const posts = sim.requests.filter((r) => r.method === 'POST').map((r) => r.status);
    expect(posts).toEqual([500, 201]);
  });

  it('leaves exactly one profile when a create is committed but answered with 500, re-reading instead of creating again', async () => {
    storeAccount();
    sim.faults.add({ method: 'POST', path: '/v1/profiles', status: 500, afterCommit: true });
    const run = await runStep('ensure-profile', { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_STORE' });
    expect(run.exitCode, run.stdout).toBe(0);
    const p = onlyProfile(sim, STORE);
    expect(run.outputs['profile-uuid']).toBe(p.uuid);
    expect(sim.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect((await readFile(run.outputs['profile-path'] as string)).equals(Buffer.from(p.profileContent, 'base64'))).toBe(true);
  });

  it("adopts the profile of the name, deleting nothing, when Apple answers 409 'Multiple profiles found with the name' and it passes the checks", async () => {
    storeAccount();
    // The create lands, but Apple answers as if another run had made the profile first.
    sim.faults.add({
      method: 'POST',
      path: '/v1/profiles',
      status: 409,
      afterCommit: true,
      body: {
        errors: [
          {
            id: 'f1',
            status: '409',
            code: 'ENTITY_ERROR',
            title: 'There is a problem with the request entity',
            detail: `There is a problem with the request entity: Multiple profiles found with the name '${STORE}'.  Please remove the duplicate profiles and try again.`,
          },
        ],
      },
    });
    const run = await runStep('ensure-profile', { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_STORE' });
    expect(run.exitCode, run.stdout).toBe(0);
    const p = onlyProfile(sim, STORE);
    expect(run.outputs).toMatchObject({ 'profile-uuid': p.uuid, created: 'false' });
    expect(profilesOutput(run.outputs)[0]?.reason).toMatch(/another run created it at the same time, and this run uses that one$/);
    expect(writes(sim)).toEqual(['POST /v1/profiles']);
    expect(await installed(run.home)).toEqual([[`${p.uuid}.mobileprovision`], [`${p.uuid}.mobileprovision`]]);
  });

  it('installs files byte-equal to the content Apple holds, readable with openssl cms -verify -noverify', async () => {
    storeAccount();
    const run = await runStep('ensure-profile', { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_STORE' });
    expect(run.exitCode, run.stdout).toBe(0);
    const p = onlyProfile(sim, STORE);
    for (const dir of XCODE_DIRS) {
      const file = path.join(run.home, dir, `${p.uuid}.mobileprovision`);
      expect((await readFile(file)).equals(Buffer.from(p.profileContent, 'base64'))).toBe(true);
      const xml = execFileSync('openssl', ['cms', '-verify', '-noverify', '-inform', 'DER', '-in', file], { stdio: ['ignore', 'pipe', 'pipe'] }).toString(
        'utf8',
      );
      const dict = parse(xml) as Record<string, unknown>;
      expect(dict['UUID']).toBe(p.uuid);
      expect(dict['Name']).toBe(STORE);
      expect(dict['TeamIdentifier']).toEqual(['SIMTEAM123']);
    }
  });

  it('installs macOS profiles as .provisionprofile into profiles-dir only', async () => {
    sim.seed.bundleId({ identifier: 'com.example.mac', platform: 'MAC_OS' });
    sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    const dir = path.join((await import('node:os')).tmpdir(), `asa-profiles-${process.pid}-${Date.now()}`);
    const run = await runStep('ensure-profile', {
      ...apiInputs(sim, key),
      'bundle-id': 'com.example.mac',
      'profile-type': 'MAC_APP_STORE',
      'profiles-dir': dir,
    });
    expect(run.exitCode, run.stdout).toBe(0);
    const p = onlyProfile(sim, 'com.example.mac MAC_APP_STORE');
    expect(run.outputs['profile-path']).toBe(path.join(dir, `${p.uuid}.provisionprofile`));
    expect((await readFile(path.join(dir, `${p.uuid}.provisionprofile`))).equals(Buffer.from(p.profileContent, 'base64'))).toBe(true);
    expect(await installed(run.home)).toEqual([[], []]);
  });

  it('reports on a dry run what it would do and why, and changes nothing', async () => {
    const { app, cert } = storeAccount();
    sim.seed.profile({ name: STORE, profileType: 'IOS_APP_STORE', bundleId: app.id, certificateIds: [cert.id], expiresAt: new Date(Date.now() - DAY) });
    const before = JSON.stringify(sim.state());
    const run = await runStep('ensure-profile', {
      ...apiInputs(sim, key),
      'bundle-id': 'com.example.app,com.example.app.widget',
      'profile-type': 'IOS_APP_STORE',
      'dry-run': 'true',
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(writes(sim)).toEqual([]);
    expect(JSON.stringify(sim.state())).toBe(before);
    expect(profilesOutput(run.outputs).map((o) => [o.bundleId, o.decision, o.created])).toEqual([
      ['com.example.app', 'recreate', false],
      ['com.example.app.widget', 'create', false],
    ]);
    expect(profilesOutput(run.outputs)[0]?.reason).toMatch(/^expired on/);
    expect(run.summary).toContain('dry run');
    expect(run.summary).toContain('would recreate');
    expect(await installed(run.home)).toEqual([[], []]);
  });

  it.each([
    ['IOS_APP_STORE', 'IOS_DEVELOPMENT', 'DISTRIBUTION or IOS_DISTRIBUTION', 'DISTRIBUTION'],
    // Development profiles ask for DEVELOPMENT, the type provision defaults to.
    ['IOS_APP_DEVELOPMENT', 'DISTRIBUTION', 'DEVELOPMENT or IOS_DEVELOPMENT', 'DEVELOPMENT'],
  ] as const)('fails on %s with one sentence naming the certificate type to create when the account has none that fits', async (type, seeded, fits, create) => {
    sim.seed.bundleId({ identifier: 'com.example.app' });
    sim.seed.certificate({ certificateType: seeded });
    sim.seed.device({ udid: '00008110-000A1B2C3D4E5F60', name: 'Ana iPhone' });
    const run = await runStep('ensure-profile', { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', 'profile-type': type });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      expect.stringMatching(new RegExp(`^The account has no valid ${fits} certificate, which a ${type} profile needs; create a ${create} certificate first`)),
    ]);
    expect(writes(sim)).toEqual([]);
  });
});

describe('ensure-profile: Developer ID certificates', () => {
  it('lists the certificates without the type filter and filters them here when Apple answers 400 to DEVELOPER_ID_APPLICATION_G2 in it', async () => {
    sim.seed.bundleId({ identifier: 'com.example.mac', platform: 'MAC_OS' });
    const devId = sim.seed.certificate({ certificateType: 'DEVELOPER_ID_APPLICATION' });
    sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    const filter = 'filter[certificateType]';
    sim.faults.add({
      method: 'GET',
      path: '/v1/certificates',
      status: 400,
      body: {
        errors: [
          {
            id: 'f400',
            status: '400',
            code: 'PARAMETER_ERROR.INVALID',
            title: 'A parameter has an invalid value',
            detail: `'DEVELOPER_ID_APPLICATION_G2' is not a valid value for the parameter '${filter}'.`,
            source: { parameter: filter },
          },
        ],
      },
    });
    const run = await runStep('ensure-profile', { ...apiInputs(sim, key), 'bundle-id': 'com.example.mac', 'profile-type': 'MAC_APP_DIRECT', install: 'false' });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(sim.requests.filter((r) => r.path === '/v1/certificates').map((r) => [r.status, r.query[filter]])).toEqual([
      [400, 'DEVELOPER_ID_APPLICATION_G2,DEVELOPER_ID_APPLICATION'],
      [200, undefined],
    ]);
    expect(onlyProfile(sim, 'com.example.mac MAC_APP_DIRECT').certificateIds).toEqual([devId.id]);
  });
});

describe('ensure-profile: two jobs at once (two runners, one account)', () => {
  /** What a write delay lets happen: both jobs list before either create lands, so both POST and Apple refuses one with 409. */
  const WRITE_DELAY_MS = 300;

  it('ends every trial with exactly one live profile, which both jobs report and have installed (20 trials, missing or stale)', async () => {
    const { app, cert } = storeAccount();
    sim.faults.add({ method: 'POST', path: '/v1/profiles', delayMs: WRITE_DELAY_MS, times: 1000 });
    const trial = async (n: number): Promise<void> => {
      const name = `Parallel ${n}`;
      // Even trials: the profile is missing; odd ones: it exists but has expired, so both jobs replace it.
      const stale =
        n % 2 === 1
          ? sim.seed.profile({ name, profileType: 'IOS_APP_STORE', bundleId: app.id, certificateIds: [cert.id], expiresAt: new Date(Date.now() - DAY) })
          : undefined;
      const inputs = { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_STORE', 'profile-name': name };
      const jobs = await Promise.all([runStep('ensure-profile', inputs), runStep('ensure-profile', inputs)]);
      const live = profilesNamed(sim, name);
      expect(
        live.map((p) => p.uuid),
        `trial ${n}`,
      ).toHaveLength(1);
      const uuid = live[0]?.uuid as string;
      expect(uuid).not.toBe(stale?.uuid);
      for (const job of jobs) {
        expect(job.exitCode, job.stdout).toBe(0);
        expect(job.outputs['profile-uuid'], `trial ${n}: ${job.stdout}`).toBe(uuid);
        expect(await installed(job.home)).toEqual([[`${uuid}.mobileprovision`], [`${uuid}.mobileprovision`]]);
      }
    };
    // Two trials at a time (each its own profile name) to keep the wall time down.
    for (let n = 0; n < 20; n += 2) await Promise.all([trial(n), trial(n + 1)]);
    sim.faults.clear();
    // Only planned removals were ever deleted: the stale profiles, never one made during the trials.
    const deleted = sim.requests.filter((r) => r.method === 'DELETE' && r.status === 204).map((r) => r.path);
    const live = new Set(sim.state().profiles.map((p) => `/v1/profiles/${p.id}`));
    expect(deleted.filter((d) => live.has(d))).toEqual([]);
    expect(new Set(deleted).size).toBe(10);
  }, 300_000);

  it('fails the job that asked for something else, in one sentence naming the conflict, and deletes nothing', async () => {
    const { cert } = storeAccount();
    const other = sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    sim.faults.add({ method: 'POST', path: '/v1/profiles', delayMs: WRITE_DELAY_MS, times: 2 });
    const inputs = { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_STORE' };
    const jobs = await Promise.all([
      runStep('ensure-profile', { ...inputs, 'certificate-ids': cert.id }),
      runStep('ensure-profile', { ...inputs, 'certificate-ids': other.id }),
    ]);
    const p = onlyProfile(sim, STORE);
    const winner = jobs.find((j) => j.exitCode === 0);
    const loser = jobs.find((j) => j.exitCode !== 0);
    expect(winner?.outputs['profile-uuid']).toBe(p.uuid);
    expect(loser?.exitCode).toBe(1);
    expect(loser?.errors).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Apple refused to create profile '${STORE}' because another profile of that name was created meanwhile, probably by a job running at the same time, and it is not what this step asks for \\(it lacks certificate (${cert.id}|${other.id})\\); .*give each its own profile-name`,
        ),
      ),
    ]);
    expect(sim.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
    expect(await installed(loser?.home as string)).toEqual([[], []]);
  });
});

describe('ensure-profile input errors (one sentence each, listing what is accepted)', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    [
      'an unknown profile-type',
      { 'profile-type': 'IOS_APP_WHATEVER' },
      /^Input profile-type is 'IOS_APP_WHATEVER', but it takes one of IOS_APP_DEVELOPMENT, IOS_APP_STORE, .*MAC_CATALYST_APP_DIRECT\.$/,
    ],
    [
      'a malformed min-days-valid',
      { 'min-days-valid': 'thirty' },
      /^Input min-days-valid is 'thirty', but it takes a whole number of at least 0 \(default 30\)\.$/,
    ],
    ['an empty bundle-id', { 'bundle-id': ' ' }, /^Input bundle-id is required: the bundle identifier, e\.g\. com\.example\.app/],
    [
      'an in-house type on App Store Connect',
      { 'profile-type': 'IOS_APP_INHOUSE' },
      /^Input profile-type is IOS_APP_INHOUSE, which the app-store-connect API does not offer; set api: enterprise/,
    ],
    [
      'too few profile names',
      { 'bundle-id': 'a.b\nc.d', 'profile-name': 'One' },
      /^Input profile-name gives 1 name\(s\) for 2 bundle IDs; give one name a line/,
    ],
    [
      'one profile name for two bundle IDs',
      { 'bundle-id': 'a.b\nc.d', 'profile-name': 'One\nOne' },
      /^Input profile-name gives 'One' to more than one bundle ID/,
    ],
  ];
  for (const [what, inputs, message] of cases) {
    it(`refuses ${what}`, async () => {
      const run = await runStep('ensure-profile', { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_STORE', ...inputs });
      expect(run.exitCode).toBe(1);
      expect(run.errors).toHaveLength(1);
      expect(run.errors[0]).toMatch(message);
      expect(sim.requests).toEqual([]);
    });
  }
});
