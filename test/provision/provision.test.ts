import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ApiKeyCredentials, Simulator } from '../../simulator/index.js';
import { simulatorPerTest } from '../support/simulator-per-test.js';
import { FAKE_SECURITY_BIN, fakeSecurity, sha1Of } from '../certificates/helpers.js';
import { apiInputs, installed, onlyProfile } from '../profiles/helpers.js';
import { findLeaks, runStep } from '../support/runner.js';

let sim: Simulator;
let key: ApiKeyCredentials;
let bundleResourceId: string;

simulatorPerTest({}, (s, k) => {
  sim = s;
  key = k;
  bundleResourceId = sim.seed.bundleId({ identifier: 'com.example.app' }).id;
  sim.seed.bundleId({ identifier: 'com.example.app.widget' });
});

describe('provision (the root action, bundled)', () => {
  it('registers devices, finds the identity for the signing key, and builds the profile on exactly that certificate', async () => {
    const mine = sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    const other = sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    const run = await runStep('provision', {
      ...apiInputs(sim, key),
      'bundle-id': 'com.example.app',
      'profile-type': 'IOS_APP_ADHOC',
      'signing-key': mine.privateKeyPem,
      devices: '00008110-000A1B2C3D4E5F60,Tester iPhone\n00008120-001122334455AABB,Second iPhone',
    });
    expect(run.exitCode, run.stdout).toBe(0);
    // The union of the three actions' outputs.
    expect(run.outputs).toMatchObject({
      registered: '2',
      failed: '0',
      'certificate-id': mine.id,
      'certificate-created': 'false',
      created: 'true',
      'profile-type': 'IOS_APP_ADHOC',
    });
    expect(run.outputs['sha1']).toBe(sha1Of(Buffer.from(mine.certificateContent, 'base64')));
    const profile = onlyProfile(sim, 'com.example.app IOS_APP_ADHOC');
    expect(profile.bundleIdId).toBe(bundleResourceId);
    expect(profile.certificateIds).toEqual([mine.id]);
    expect(profile.certificateIds).not.toContain(other.id);
    expect(profile.deviceIds).toHaveLength(2);
    expect(run.outputs['profile-uuid']).toBe(profile.uuid);
    const [mobileDevice, xcode] = await installed(run.home);
    expect(mobileDevice).toEqual([`${profile.uuid}.mobileprovision`]);
    expect(xcode).toEqual([`${profile.uuid}.mobileprovision`]);
    expect(readFileSync(run.outputs['profile-path'] ?? '')).toEqual(Buffer.from(profile.profileContent, 'base64'));
    // One summary with a table per part.
    expect(run.summary.match(/<h3>/g)).toHaveLength(3);
    expect(findLeaks(run.stdout + run.stderr + run.summary, [mine.privateKeyPem, key.privateKeyPem, ...sim.tokensSeen()])).toEqual([]);
  });

  it('creates the certificate when missing, picks its type from the profile type, and imports it into a keychain that post removes', async () => {
    sim.seed.device({ udid: '00008110-000A1B2C3D4E5F60', name: 'Dev iPhone' });
    const sec = await fakeSecurity(['/Users/runner/Library/Keychains/login.keychain-db']);
    const main = await runStep(
      'provision',
      { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_DEVELOPMENT', 'create-if-missing': 'true' },
      { pathPrefix: [FAKE_SECURITY_BIN], env: sec.env },
    );
    expect(main.exitCode, main.stdout).toBe(0);
    expect(main.outputs['certificate-created']).toBe('true');
    const cert = sim.state().certificates.find((c) => c.id === main.outputs['certificate-id']);
    expect(cert?.certificateType).toBe('DEVELOPMENT');
    expect(onlyProfile(sim, 'com.example.app IOS_APP_DEVELOPMENT').certificateIds).toEqual([cert?.id]);
    expect(main.outputs['keychain-path']).toMatch(/apple-signing-.*\.keychain-db$/);
    expect(sec.searchList()[0]).toBe(main.outputs['keychain-path']);
    expect(existsSync(main.outputs['p12-path'] ?? '')).toBe(true);
    expect(findLeaks(main.stdout, [main.outputs['p12-base64'] ?? '', main.outputs['p12-password'] ?? ''])).toEqual([]);

    const post = await runStep(
      'provision',
      {},
      { bundle: 'download-certificate-post', state: main.state, runnerTemp: main.runnerTemp, pathPrefix: [FAKE_SECURITY_BIN], env: sec.env },
    );
    expect(post.exitCode, post.stdout).toBe(0);
    expect(sec.searchList()).toEqual(['/Users/runner/Library/Keychains/login.keychain-db']);
    expect(existsSync(main.outputs['p12-path'] ?? '')).toBe(false);
  });

  it('keeps a profile that already holds the certificate, with no writes', async () => {
    const mine = sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    const inputs = { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_STORE', 'signing-key': mine.privateKeyPem };
    expect((await runStep('provision', inputs)).outputs['created']).toBe('true');
    sim.clearRequests();
    const again = await runStep('provision', inputs);
    expect(again.exitCode, again.stdout).toBe(0);
    expect(again.outputs).toMatchObject({ created: 'false', decision: 'keep' });
    expect(sim.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('keeps the device results when the signing identity cannot be found, and fails with both facts', async () => {
    sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    const run = await runStep('provision', {
      ...apiInputs(sim, key),
      'bundle-id': 'com.example.app',
      'profile-type': 'IOS_APP_ADHOC',
      devices: '00008110-000A1B2C3D4E5F60,Tester iPhone\nnot-a-udid,Broken',
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ registered: '1', failed: '1' });
    expect(run.outputs['would-register']).toBeUndefined();
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/DISTRIBUTION certificate.* Also: 1 of 2 devices failed \(line 2: 'not-a-udid' is not a UDID/);
    expect(sim.state().profiles).toEqual([]);
    expect(run.summary).toContain('Tester iPhone');
  });

  it('refuses an unknown profile-type in one sentence, before any request', async () => {
    const run = await runStep('provision', {
      ...apiInputs(sim, key),
      'bundle-id': 'com.example.app',
      'profile-type': 'IOS_APP_STORES',
      'create-if-missing': 'true',
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/^Input profile-type is 'IOS_APP_STORES', but it takes one of IOS_APP_DEVELOPMENT, /);
    expect(sim.requests).toEqual([]);
  });
});
