// ensure-bundle-id, bundled and run as the runner does, against the simulator over HTTP.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'plist';
import { describe, expect, it } from 'vitest';
import type { BundleIdReport } from '../../src/bundle-ids/ensure.js';
import type { ApiKeyCredentials, ApiKind, Simulator } from '../../simulator/index.js';
import { simulatorPerTest } from '../support/simulator-per-test.js';
import { runStep } from '../support/runner.js';
import { apiInputs, writes } from '../profiles/helpers.js';

const FIXTURES = path.join(import.meta.dirname, '../entitlements/fixtures');
const APP = path.join(FIXTURES, 'App.entitlements');
const WIDGET = path.join(FIXTURES, 'Widget.entitlements');

let sim: Simulator;
let key: ApiKeyCredentials;

simulatorPerTest({}, (s, k) => {
  sim = s;
  key = k;
});

type BundleIdJson = Omit<BundleIdReport, 'changes'>;
const bundleIds = (outputs: Record<string, string>): BundleIdJson[] => JSON.parse(outputs['bundle-ids'] ?? '[]') as BundleIdJson[];

function capabilitiesOn(identifier: string, api: ApiKind = 'app-store-connect'): string[] {
  const s = sim.state(api);
  const b = s.bundleIds.find((x) => x.identifier === identifier);
  return s.capabilities
    .filter((c) => c.bundleIdId === b?.id)
    .map((c) => (c.settings.length > 0 ? `${c.capabilityType}(${c.settings.map((x) => `${x.key}=${x.options[0]?.key}`).join()})` : c.capabilityType))
    .sort();
}

async function entitlementsFile(dict: Record<string, unknown>): Promise<string> {
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'asa-ent-')), 'Target.entitlements');
  await writeFile(file, build(dict as Parameters<typeof build>[0]));
  return file;
}

describe('ensure-bundle-id (bundled, over HTTP against the simulator)', () => {
  it('creates a new bundle ID with the three capabilities its entitlements ask for, then a second run writes nothing', async () => {
    const inputs = { ...apiInputs(sim, key), 'bundle-id': 'com.example.app-new', entitlements: APP };
    const run = await runStep('ensure-bundle-id', inputs);
    expect(run.exitCode, run.stdout).toBe(0);
    const b = sim.state().bundleIds.find((x) => x.identifier === 'com.example.app-new');
    expect(b).toMatchObject({ name: 'com example app new', platform: 'IOS' });
    expect(capabilitiesOn('com.example.app-new')).toEqual([
      'ASSOCIATED_DOMAINS',
      'DATA_PROTECTION(DATA_PROTECTION_PERMISSION_LEVEL=COMPLETE_PROTECTION)',
      'GAME_CENTER',
      'IN_APP_PURCHASE',
      'PUSH_NOTIFICATIONS',
    ]);
    expect(run.outputs).toMatchObject({ created: '1', changed: '1', 'manual-steps': '[]' });
    expect(bundleIds(run.outputs)).toEqual([
      {
        identifier: 'com.example.app-new',
        id: b?.id,
        created: true,
        added: ['PUSH_NOTIFICATIONS', 'ASSOCIATED_DOMAINS', 'DATA_PROTECTION'],
        removed: [],
        updated: [],
        invalidatedProfiles: [],
        manualSteps: [],
      },
    ]);
    expect(run.stdout).toMatch(/com\.example\.app-new: add PUSH_NOTIFICATIONS: asked by aps-environment in App\.entitlements/);
    expect(run.warnings).toEqual([]);

    sim.clearRequests();
    const again = await runStep('ensure-bundle-id', inputs);
    expect(again.exitCode, again.stdout).toBe(0);
    expect(writes(sim)).toEqual([]);
    expect(sim.requests).toHaveLength(1);
    expect(again.outputs).toMatchObject({ created: '0', changed: '0' });
    expect(again.stdout).toMatch(/capabilities match \(3 asked for, 5 on Apple\)/);
  });

  it('reads a binary entitlements file the same way', async () => {
    const run = await runStep('ensure-bundle-id', {
      ...apiInputs(sim, key),
      'bundle-id': 'com.example.bin',
      entitlements: path.join(FIXTURES, 'App.binary.entitlements'),
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(capabilitiesOn('com.example.bin')).toContain('DATA_PROTECTION(DATA_PROTECTION_PERMISSION_LEVEL=COMPLETE_PROTECTION)');
  });

  it('updates a setting that differs and, with remove-unlisted, removes what was not asked for but never the defaults', async () => {
    const app = sim.seed.bundleId({ identifier: 'com.example.app' });
    sim.seed.capability({ bundleId: app.id, capabilityType: 'HEALTHKIT' });
    sim.seed.capability({
      bundleId: app.id,
      capabilityType: 'DATA_PROTECTION',
      settings: [{ key: 'DATA_PROTECTION_PERMISSION_LEVEL', options: [{ key: 'PROTECTED_UNLESS_OPEN' }] }],
    });
    const inputs = { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', entitlements: APP };

    const keep = await runStep('ensure-bundle-id', inputs);
    expect(keep.exitCode, keep.stdout).toBe(0);
    expect(capabilitiesOn('com.example.app')).toContain('HEALTHKIT');
    expect(bundleIds(keep.outputs)[0]).toMatchObject({ added: ['PUSH_NOTIFICATIONS', 'ASSOCIATED_DOMAINS'], updated: ['DATA_PROTECTION'], removed: [] });
    expect(keep.stdout).toMatch(
      /update DATA_PROTECTION\(DATA_PROTECTION_PERMISSION_LEVEL=COMPLETE_PROTECTION\): DATA_PROTECTION_PERMISSION_LEVEL is PROTECTED_UNLESS_OPEN, COMPLETE_PROTECTION is asked/,
    );

    const remove = await runStep('ensure-bundle-id', { ...inputs, 'remove-unlisted': 'true' });
    expect(remove.exitCode, remove.stdout).toBe(0);
    expect(bundleIds(remove.outputs)[0]).toMatchObject({ added: [], updated: [], removed: ['HEALTHKIT'] });
    expect(capabilitiesOn('com.example.app')).toEqual([
      'ASSOCIATED_DOMAINS',
      'DATA_PROTECTION(DATA_PROTECTION_PERMISSION_LEVEL=COMPLETE_PROTECTION)',
      'GAME_CENTER',
      'IN_APP_PURCHASE',
      'PUSH_NOTIFICATIONS',
    ]);
    sim.clearRequests();
    const settled = await runStep('ensure-bundle-id', { ...inputs, 'remove-unlisted': 'true' });
    expect(settled.outputs['changed']).toBe('0');
    expect(writes(sim)).toEqual([]);
  });

  it('with dry-run prints the plan and the profiles it would invalidate, and writes nothing', async () => {
    const app = sim.seed.bundleId({ identifier: 'com.example.app' });
    const cert = sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    const profile = sim.seed.profile({ name: 'App Store', profileType: 'IOS_APP_STORE', bundleId: app.id, certificateIds: [cert.id] });
    const run = await runStep('ensure-bundle-id', {
      ...apiInputs(sim, key),
      'bundle-id': 'com.example.app\ncom.example.app.new',
      entitlements: `com.example.app=${APP}`,
      capabilities: 'ICLOUD(ICLOUD_VERSION=XCODE_6)',
      'dry-run': 'true',
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(writes(sim)).toEqual([]);
    expect(run.outputs).toMatchObject({ created: '0', changed: '2' });
    const [existing, fresh] = bundleIds(run.outputs);
    expect(existing).toMatchObject({
      added: ['PUSH_NOTIFICATIONS', 'ASSOCIATED_DOMAINS', 'DATA_PROTECTION', 'ICLOUD'],
      invalidatedProfiles: [`App Store (${profile.id})`],
    });
    expect(fresh).toMatchObject({ id: '', created: false, added: ['ICLOUD'] });
    expect(run.stdout).toMatch(/com\.example\.app\.new: would create bundle ID 'com example app new' \(IOS\)/);
    expect(run.stdout).toMatch(/com\.example\.app: would add ICLOUD\(ICLOUD_VERSION=XCODE_6\): asked by the capabilities input/);
    expect(run.summary).toMatch(/ensure-bundle-id \(dry run: nothing changed\)/);
    expect(sim.state().profiles[0]?.profileState).toBe('ACTIVE');
  });

  it('reports the profiles Apple invalidated by the change', async () => {
    const app = sim.seed.bundleId({ identifier: 'com.example.app' });
    const cert = sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    const profile = sim.seed.profile({ name: 'App Store', profileType: 'IOS_APP_STORE', bundleId: app.id, certificateIds: [cert.id] });
    const run = await runStep('ensure-bundle-id', { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', capabilities: 'PUSH_NOTIFICATIONS' });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(bundleIds(run.outputs)[0]?.invalidatedProfiles).toEqual([`App Store (${profile.id})`]);
    expect(run.warnings).toEqual([
      expect.stringMatching(/^Changed the capabilities of com\.example\.app invalidates its profiles App Store \(\w+\); ensure-profile/),
    ]);
    expect(sim.state().profiles[0]?.profileState).toBe('INVALID');
  });

  it('warns about an entitlement key it does not know, naming it, and keeps known keys silent', async () => {
    const file = await entitlementsFile({
      'aps-environment': 'production',
      'com.example.team.secret-sauce': true,
      'com.apple.security.app-sandbox': true,
      'keychain-access-groups': ['$(AppIdentifierPrefix)com.example.app'],
    });
    const run = await runStep('ensure-bundle-id', { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', entitlements: file });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.warnings).toEqual([
      expect.stringMatching(/^Entitlement com\.example\.team\.secret-sauce \(for com\.example\.app\) is not one apple-signing-actions knows/),
    ]);
    expect(capabilitiesOn('com.example.app')).toContain('PUSH_NOTIFICATIONS');
  });

  it('reports associating an App Group as the manual step it is, naming the portal page', async () => {
    const run = await runStep('ensure-bundle-id', { ...apiInputs(sim, key), 'bundle-id': 'com.example.app.widget', entitlements: WIDGET });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(capabilitiesOn('com.example.app.widget')).toContain('APP_GROUPS');
    const steps = JSON.parse(run.outputs['manual-steps'] ?? '') as string[];
    expect(steps).toEqual([
      expect.stringMatching(
        /^Associate the App Group\(s\) group\.com\.example\.shared with com\.example\.app\.widget on the portal \(Certificates, Identifiers & Profiles > Identifiers \(https:\/\/developer\.apple\.com\/account\/resources\/identifiers\/list\) > com\.example\.app\.widget > App Groups > Edit/,
      ),
    ]);
    expect(run.warnings).toEqual(steps);
    expect(bundleIds(run.outputs)[0]?.manualSteps).toEqual(steps);
    expect(run.summary).toContain('Manual step: Associate the App Group(s) group.com.example.shared');
  });

  it('works on the Enterprise Program API, and refuses UNIVERSAL there before any request', async () => {
    const ent = sim.addKey({ api: 'enterprise' });
    const run = await runStep('ensure-bundle-id', { ...apiInputs(sim, ent), 'bundle-id': 'com.example.inhouse', entitlements: APP, platform: 'MAC_OS' });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(sim.state('enterprise').bundleIds.map((b) => [b.identifier, b.platform])).toEqual([['com.example.inhouse', 'MAC_OS']]);
    expect(capabilitiesOn('com.example.inhouse', 'enterprise')).toContain('PUSH_NOTIFICATIONS');
    expect(sim.state('app-store-connect').bundleIds).toEqual([]);

    sim.clearRequests();
    const universal = await runStep('ensure-bundle-id', { ...apiInputs(sim, ent), 'bundle-id': 'com.example.inhouse', platform: 'UNIVERSAL' });
    expect(universal.exitCode).toBe(1);
    expect(universal.errors).toEqual(['Input platform is UNIVERSAL, which the Enterprise Program API does not offer; use IOS or MAC_OS.']);
    expect(sim.requests).toEqual([]);
  });

  it('refuses bad input in one sentence before any request', async () => {
    const bad = await entitlementsFile({});
    await writeFile(bad, '<plist><dict><key>aps-environment</key>');
    const cases: [Record<string, string>, RegExp][] = [
      [
        { entitlements: bad },
        /^Input entitlements names '.*Target\.entitlements', which is not a readable entitlements property list \(the XML is malformed\)/,
      ],
      [{ capabilities: 'PUSH' }, /^Input capabilities has 'PUSH', but it takes Apple's capability types/],
      [
        { capabilities: 'ICLOUD(ICLOUD_VERSION=XCODE_7)' },
        /^Input capabilities has 'ICLOUD\(ICLOUD_VERSION=XCODE_7\)', but Apple takes ICLOUD\(ICLOUD_VERSION=XCODE_5\|XCODE_6\)\.$/,
      ],
      [{ name: 'My App!' }, /^Input name has 'My App!', but Apple allows only letters, digits and spaces .* e\.g\. 'My App'\.$/],
      [{ 'remove-unlisted': 'true' }, /^Input remove-unlisted is true but neither entitlements nor capabilities is given/],
    ];
    for (const [inputs, message] of cases) {
      const run = await runStep('ensure-bundle-id', { ...apiInputs(sim, key), 'bundle-id': 'com.example.app', ...inputs });
      expect(run.exitCode).toBe(1);
      expect(run.errors).toEqual([expect.stringMatching(message)]);
    }
    expect(sim.requests).toEqual([]);
  });
});
