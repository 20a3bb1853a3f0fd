// Bundle ID capabilities (facts.md 1.10): list, include, enable, change settings, disable; Apple's refusals;
// profiles carry their bundle ID's capabilities as entitlements and turn INVALID when those change.
import { parse, type PlistValue } from 'plist';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type ApiKeyCredentials, type ApiKind, type Simulator } from '../../simulator/index.js';
import { profilePlist } from '../../src/profiles/install.js';
import { call, profileBody, responseProblems } from './helpers.js';

let sim: Simulator;
const keys = {} as Record<ApiKind, ApiKeyCredentials>;

beforeAll(async () => {
  sim = await startSimulator();
  keys['app-store-connect'] = sim.addKey();
  keys.enterprise = sim.addKey({ api: 'enterprise' });
});
afterAll(() => sim.close());
afterEach(() => {
  expect(responseProblems(sim)).toEqual([]);
  sim.clearRequests();
});

const capabilityBody = (bundleId: string, capabilityType: string, settings?: unknown) => ({
  data: {
    type: 'bundleIdCapabilities',
    attributes: { capabilityType, ...(settings ? { settings } : {}) },
    relationships: { bundleId: { data: { type: 'bundleIds', id: bundleId } } },
  },
});

async function newBundleId(identifier: string, platform = 'IOS', api: ApiKind = 'app-store-connect'): Promise<string> {
  const r = await call(sim, keys[api], 'POST', '/v1/bundleIds', { body: { data: { type: 'bundleIds', attributes: { identifier, name: 'Test', platform } } } });
  expect(r.status).toBe(201);
  return r.body.data.id as string;
}

const types = (body: { data: { attributes: { capabilityType: string } }[] }) => body.data.map((c) => c.attributes.capabilityType).sort();

function entitlementsOf(profileContent: string): Record<string, PlistValue> {
  const dict = parse(profilePlist(Buffer.from(profileContent, 'base64'))) as Record<string, PlistValue>;
  return dict['Entitlements'] as Record<string, PlistValue>;
}

describe('capabilities of a bundle ID', () => {
  it('a new explicit App ID has the default capabilities; POST adds one, PATCH changes its setting, DELETE removes it', async () => {
    const id = await newBundleId('com.example.caps');
    const key = keys['app-store-connect'];
    expect(types((await call(sim, key, 'GET', `/v1/bundleIds/${id}/bundleIdCapabilities`)).body)).toEqual(['GAME_CENTER', 'IN_APP_PURCHASE']);

    const setting = (option: string) => [{ key: 'ICLOUD_VERSION', options: [{ key: option }] }];
    const created = await call(sim, key, 'POST', '/v1/bundleIdCapabilities', { body: capabilityBody(id, 'ICLOUD', setting('XCODE_5')) });
    expect(created.status).toBe(201);
    expect(created.body.data.id).toBe(`${id}_ICLOUD`);
    expect(created.body.data.attributes.settings[0].options[0].key).toBe('XCODE_5');

    const patched = await call(sim, key, 'PATCH', `/v1/bundleIdCapabilities/${id}_ICLOUD`, {
      body: { data: { type: 'bundleIdCapabilities', id: `${id}_ICLOUD`, attributes: { settings: setting('XCODE_6') } } },
    });
    expect(patched.status).toBe(200);
    expect(sim.state().capabilities.find((c) => c.id === `${id}_ICLOUD`)?.settings).toEqual(setting('XCODE_6'));

    const listed = await call(sim, key, 'GET', `/v1/bundleIds?filter[id]=${id}&include=bundleIdCapabilities`);
    expect(listed.body.data[0].relationships.bundleIdCapabilities.data.map((l: { id: string }) => l.id).sort()).toEqual(
      [`${id}_GAME_CENTER`, `${id}_ICLOUD`, `${id}_IN_APP_PURCHASE`].sort(),
    );
    expect(listed.body.included.filter((r: { type: string }) => r.type === 'bundleIdCapabilities')).toHaveLength(3);

    expect((await call(sim, key, 'DELETE', `/v1/bundleIdCapabilities/${id}_ICLOUD`)).status).toBe(204);
    expect((await call(sim, key, 'DELETE', `/v1/bundleIdCapabilities/${id}_ICLOUD`)).status).toBe(404);
  });

  it('refuses a capability the platform does not offer, a setting out of range, and a capability already on', async () => {
    const key = keys['app-store-connect'];
    const mac = await newBundleId('com.example.mac', 'MAC_OS');
    const ios = await newBundleId('com.example.ios');
    const health = await call(sim, key, 'POST', '/v1/bundleIdCapabilities', { body: capabilityBody(mac, 'HEALTHKIT') });
    expect(health.status).toBe(409);
    expect(health.body.errors[0].detail).toMatch(/'HEALTHKIT' is not available for the platform 'MAC_OS'/);
    const sysext = await call(sim, key, 'POST', '/v1/bundleIdCapabilities', { body: capabilityBody(ios, 'SYSTEM_EXTENSION_INSTALL') });
    expect(sysext.status).toBe(409);

    const badOption = await call(sim, key, 'POST', '/v1/bundleIdCapabilities', {
      body: capabilityBody(ios, 'DATA_PROTECTION', [{ key: 'DATA_PROTECTION_PERMISSION_LEVEL', options: [{ key: 'XCODE_6' }] }]),
    });
    expect(badOption.status).toBe(409);
    expect(badOption.body.errors[0].source.pointer).toBe('/data/attributes/settings');
    const wrongKey = await call(sim, key, 'POST', '/v1/bundleIdCapabilities', {
      body: capabilityBody(ios, 'PUSH_NOTIFICATIONS', [{ key: 'ICLOUD_VERSION', options: [{ key: 'XCODE_6' }] }]),
    });
    expect(wrongKey.status).toBe(409);
    const unknown = await call(sim, key, 'POST', '/v1/bundleIdCapabilities', { body: capabilityBody(ios, 'TELEPATHY') });
    expect(unknown.status).toBe(409);

    expect((await call(sim, key, 'POST', '/v1/bundleIdCapabilities', { body: capabilityBody(ios, 'PUSH_NOTIFICATIONS') })).status).toBe(201);
    const twice = await call(sim, key, 'POST', '/v1/bundleIdCapabilities', { body: capabilityBody(ios, 'PUSH_NOTIFICATIONS') });
    expect(twice.status).toBe(409);
    expect(twice.body.errors[0].detail).toMatch(/already enabled/);
  });

  it('works the same on the Enterprise Program API, whose bundle IDs are IOS or MAC_OS', async () => {
    const id = await newBundleId('com.example.inhouse', 'IOS', 'enterprise');
    const r = await call(sim, keys.enterprise, 'POST', '/v1/bundleIdCapabilities', { body: capabilityBody(id, 'ASSOCIATED_DOMAINS') });
    expect(r.status).toBe(201);
    expect(sim.state('enterprise').capabilities.map((c) => c.capabilityType)).toContain('ASSOCIATED_DOMAINS');
    expect(sim.state('app-store-connect').capabilities.some((c) => c.bundleIdId === id)).toBe(false);
  });
});

describe('profiles follow the capabilities', () => {
  it("carries the bundle ID's capabilities as entitlements when made, and turns INVALID when they change", async () => {
    const key = keys['app-store-connect'];
    const id = await newBundleId('com.example.ent');
    await call(sim, key, 'POST', '/v1/bundleIdCapabilities', { body: capabilityBody(id, 'PUSH_NOTIFICATIONS') });
    await call(sim, key, 'POST', '/v1/bundleIdCapabilities', {
      body: capabilityBody(id, 'DATA_PROTECTION', [{ key: 'DATA_PROTECTION_PERMISSION_LEVEL', options: [{ key: 'PROTECTED_UNLESS_OPEN' }] }]),
    });
    const cert = sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    const made = await call(sim, key, 'POST', '/v1/profiles', { body: profileBody('Ent Store', 'IOS_APP_STORE', id, [cert.id]) });
    expect(made.status).toBe(201);
    const ent = entitlementsOf(made.body.data.attributes.profileContent);
    expect(ent['aps-environment']).toBe('production');
    expect(ent['com.apple.developer.default-data-protection']).toBe('NSFileProtectionCompleteUnlessOpen');
    expect(ent['com.apple.developer.associated-domains']).toBeUndefined();

    const other = sim.seed.bundleId({ identifier: 'com.example.bystander' });
    const bystander = sim.seed.profile({ name: 'Bystander', profileType: 'IOS_APP_STORE', bundleId: other.id, certificateIds: [cert.id] });
    await call(sim, key, 'POST', '/v1/bundleIdCapabilities', { body: capabilityBody(id, 'ASSOCIATED_DOMAINS') });
    const state = (name: string) => sim.state().profiles.find((p) => p.name === name)?.profileState;
    expect(state('Ent Store')).toBe('INVALID');
    expect(state(bystander.name)).toBe('ACTIVE');

    const again = await call(sim, key, 'POST', '/v1/profiles', { body: profileBody('Ent Store 2', 'IOS_APP_STORE', id, [cert.id]) });
    expect(entitlementsOf(again.body.data.attributes.profileContent)['com.apple.developer.associated-domains']).toBe('*');
  });
});
