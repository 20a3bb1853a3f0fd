// ensure-profile, rotate-profile and provision with `entitlements`: the profile must grant what the app asks
// for, compared by meaning; a bundle ID lacking a capability fails the step before any write.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build, parse, type PlistValue } from 'plist';
import { describe, expect, it } from 'vitest';
import type { ApiKeyCredentials, Simulator } from '../../simulator/index.js';
import { simulatorPerTest } from '../support/simulator-per-test.js';
import { profilePlist } from '../../src/profiles/install.js';
import { runStep } from '../support/runner.js';
import { apiInputs, onlyProfile, profilesOutput, writes } from '../profiles/helpers.js';

let sim: Simulator;
let key: ApiKeyCredentials;

simulatorPerTest({}, (s, k) => {
  sim = s;
  key = k;
});

const STORE = 'com.example.app IOS_APP_STORE';

async function entitlementsFile(dict: Record<string, PlistValue>): Promise<string> {
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'asa-ent-')), 'App.entitlements');
  await writeFile(file, build(dict));
  return file;
}

function granted(name: string): Record<string, PlistValue> {
  const dict = parse(profilePlist(Buffer.from(onlyProfile(sim, name).profileContent, 'base64'))) as Record<string, PlistValue>;
  return dict['Entitlements'] as Record<string, PlistValue>;
}

describe('profiles that grant what the app asks (bundled, against the simulator)', () => {
  it('keeps a profile until an entitlement it lacks appears, then recreates it with the reason, then keeps it again', async () => {
    const app = sim.seed.bundleId({ identifier: 'com.example.app' });
    sim.seed.capability({ bundleId: app.id, capabilityType: 'PUSH_NOTIFICATIONS' });
    const cert = sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    const old = sim.seed.profile({ name: STORE, profileType: 'IOS_APP_STORE', bundleId: app.id, certificateIds: [cert.id] });
    // Xcode's file says development even for App Store builds; the profile's production satisfies it.
    const push = await entitlementsFile({ 'aps-environment': 'development', 'keychain-access-groups': ['$(AppIdentifierPrefix)com.example.app'] });
    const inputs = { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_STORE', install: 'false' };

    const kept = await runStep('ensure-profile', { ...inputs, entitlements: push });
    expect(kept.exitCode, kept.stdout).toBe(0);
    expect(kept.outputs['decision']).toBe('keep');
    expect(onlyProfile(sim, STORE).id).toBe(old.id);

    // The capability is turned on after the profile was made (seeded: Apple has not flipped the profile's state).
    sim.seed.capability({ bundleId: app.id, capabilityType: 'ASSOCIATED_DOMAINS' });
    const both = await entitlementsFile({ 'aps-environment': 'development', 'com.apple.developer.associated-domains': ['applinks:example.com'] });
    const recreated = await runStep('ensure-profile', { ...inputs, entitlements: both });
    expect(recreated.exitCode, recreated.stdout).toBe(0);
    expect(profilesOutput(recreated.outputs)[0]).toMatchObject({
      decision: 'recreate',
      reason: 'it lacks entitlement(s) com.apple.developer.associated-domains (made before the capability was enabled)',
    });
    expect(onlyProfile(sim, STORE).id).not.toBe(old.id);
    expect(granted(STORE)['com.apple.developer.associated-domains']).toBe('*');

    sim.clearRequests();
    const again = await runStep('ensure-profile', { ...inputs, entitlements: both });
    expect(again.outputs['decision']).toBe('keep');
    expect(writes(sim)).toEqual([]);
  });

  it('fails before any write, naming the entitlement and the fix, when the bundle ID lacks the capability', async () => {
    const app = sim.seed.bundleId({ identifier: 'com.example.app' });
    const cert = sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    sim.seed.profile({ name: STORE, profileType: 'IOS_APP_STORE', bundleId: app.id, certificateIds: [cert.id], state: 'INVALID' });
    const file = await entitlementsFile({ 'com.apple.security.application-groups': ['group.com.example.shared'] });
    for (const action of ['ensure-profile', 'rotate-profile']) {
      const run = await runStep(action, { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_STORE', entitlements: file });
      expect(run.exitCode).toBe(1);
      expect(run.errors).toEqual([
        'The profile cannot grant what the entitlements ask for: com.example.app lacks APP_GROUPS, which com.apple.security.application-groups in App.entitlements needs; run ensure-bundle-id with the same entitlements first (provision does it when given entitlements), or enable the capability on the portal (Certificates, Identifiers & Profiles > Identifiers (https://developer.apple.com/account/resources/identifiers/list)).',
      ]);
    }
    expect(writes(sim)).toEqual([]);
  });

  it('warns when a kept profile carries the key but not a value only the portal associates, without recreating it', async () => {
    const app = sim.seed.bundleId({ identifier: 'com.example.app' });
    sim.seed.capability({ bundleId: app.id, capabilityType: 'APP_GROUPS' });
    const cert = sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    const old = sim.seed.profile({ name: STORE, profileType: 'IOS_APP_STORE', bundleId: app.id, certificateIds: [cert.id] });
    const file = await entitlementsFile({ 'com.apple.security.application-groups': ['group.com.example.shared'] });
    const run = await runStep('ensure-profile', {
      ...apiInputs(sim, key),
      'bundle-id': 'com.example.app',
      'profile-type': 'IOS_APP_STORE',
      entitlements: file,
      install: 'false',
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs['decision']).toBe('keep');
    expect(onlyProfile(sim, STORE).id).toBe(old.id);
    expect(run.warnings).toEqual([
      expect.stringMatching(
        /^Profile 'com\.example\.app IOS_APP_STORE' grants com\.apple\.security\.application-groups but not group\.com\.example\.shared; associate them/,
      ),
    ]);
  });

  it('provision with entitlements creates the bundle ID and its capabilities first, then a profile that grants them', async () => {
    const cert = sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    const file = await entitlementsFile({ 'aps-environment': 'development', 'com.apple.developer.associated-domains': ['applinks:example.com'] });
    const run = await runStep('provision', {
      ...apiInputs(sim, key),
      'bundle-id': 'com.example.app',
      'profile-type': 'IOS_APP_STORE',
      'signing-key': cert.privateKeyPem,
      entitlements: file,
    });
    expect(run.exitCode, run.stdout).toBe(0);
    const created = writes(sim);
    expect(created.slice(0, 3)).toEqual(['POST /v1/bundleIds', 'POST /v1/bundleIdCapabilities', 'POST /v1/bundleIdCapabilities']);
    expect(created).toContain('POST /v1/profiles');
    expect(JSON.parse(run.outputs['bundle-ids'] ?? '[]')).toMatchObject([
      { identifier: 'com.example.app', created: true, added: ['PUSH_NOTIFICATIONS', 'ASSOCIATED_DOMAINS'] },
    ]);
    expect(run.outputs['manual-steps']).toBe('[]');
    const ent = granted(STORE);
    expect(ent['aps-environment']).toBe('production');
    expect(ent['com.apple.developer.associated-domains']).toBe('*');
  });
});
