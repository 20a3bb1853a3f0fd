// Profiles: creation checks, the signed .mobileprovision content, includes, related reads (docs/apple-facts.md §1.6, §4).
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'plist';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type ApiKeyCredentials, type CertificateRecord, type Simulator } from '../../simulator/index.js';
import { call, profileBody, responseProblems, udid40 } from './helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'sim-profiles-'));
let sim: Simulator;
let key: ApiKeyCredentials;
let bundle: string;
let dist: CertificateRecord;
let dev: CertificateRecord;
let phones: string[];

beforeAll(async () => {
  sim = await startSimulator({ immediateDevices: 0 });
  key = sim.addKey();
  bundle = sim.seed.bundleId({ identifier: 'com.example.app', name: 'Example App' }).id;
  dist = sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
  dev = sim.seed.certificate({ certificateType: 'DEVELOPMENT' });
  phones = [1, 2, 3].map((i) => sim.seed.device({ udid: udid40(i), name: `Phone ${i}` }).id);
});
afterAll(() => sim.close());
afterEach(() => {
  expect(responseProblems(sim)).toEqual([]);
  sim.clearRequests();
});

/** Opens profileContent the way the brief and Apple's TN3125 say: openssl cms -verify -noverify -inform DER. */
function openProfile(profileContent: string): { xml: string; plist: Record<string, unknown> } {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.mobileprovision`);
  const out = `${file}.plist`;
  writeFileSync(file, Buffer.from(profileContent, 'base64'));
  execFileSync('/usr/bin/openssl', ['cms', '-verify', '-noverify', '-inform', 'DER', '-in', file, '-out', out], { stdio: 'pipe' });
  const xml = readFileSync(out, 'utf8');
  return { xml, plist: parse(xml) as Record<string, unknown> };
}

describe('creating profiles', () => {
  it('creates a development profile whose content is a CMS-signed plist holding the devices and certificates', async () => {
    const r = await call(sim, key, 'POST', '/v1/profiles', { body: profileBody('Dev profile', 'IOS_APP_DEVELOPMENT', bundle, [dev.id], phones.slice(0, 2)) });
    expect(r.status).toBe(201);
    const a = r.body.data.attributes;
    expect(a).toMatchObject({ name: 'Dev profile', profileType: 'IOS_APP_DEVELOPMENT', profileState: 'ACTIVE', platform: 'IOS' });
    expect(a.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const { xml, plist } = openProfile(a.profileContent);
    expect(xml).toMatch(/^<\?xml/);
    expect(plist).toMatchObject({
      AppIDName: 'Example App',
      ApplicationIdentifierPrefix: ['SIMTEAM123'],
      Name: 'Dev profile',
      Platform: ['iOS'],
      ProvisionedDevices: [udid40(1), udid40(2)],
      TeamIdentifier: ['SIMTEAM123'],
      TeamName: 'Simulated Team',
      TimeToLive: 365,
      UUID: a.uuid,
      Version: 1,
      Entitlements: {
        'application-identifier': 'SIMTEAM123.com.example.app',
        'com.apple.developer.team-identifier': 'SIMTEAM123',
        'get-task-allow': true,
        'keychain-access-groups': ['SIMTEAM123.*'],
      },
    });
    expect(plist['ProvisionsAllDevices']).toBeUndefined();
    expect((plist['ExpirationDate'] as Date).toISOString().slice(0, 19)).toBe(a.expirationDate.slice(0, 19));
    const certs = plist['DeveloperCertificates'] as Uint8Array[];
    expect(certs).toHaveLength(1);
    expect(Buffer.from(certs[0] ?? []).toString('base64')).toBe(dev.certificateContent);
  });

  it('signs the content with the simulator CA (verifiable with -CAfile)', async () => {
    const r = await call(sim, key, 'POST', '/v1/profiles', { body: profileBody('Signed', 'IOS_APP_STORE', bundle, [dist.id]) });
    const file = path.join(dir, 'signed.mobileprovision');
    const ca = path.join(dir, 'ca.pem');
    writeFileSync(file, Buffer.from(r.body.data.attributes.profileContent, 'base64'));
    writeFileSync(ca, sim.caCertPem);
    const out = execFileSync('/usr/bin/openssl', ['cms', '-verify', '-inform', 'DER', '-in', file, '-CAfile', ca, '-purpose', 'any', '-out', '/dev/null'], {
      stdio: 'pipe',
    });
    expect(out).toBeDefined();
    const { plist } = openProfile(r.body.data.attributes.profileContent);
    expect(plist['ProvisionedDevices']).toBeUndefined();
    expect(plist['Entitlements']).toMatchObject({ 'get-task-allow': false });
  });

  it('ends the profile no later than its earliest certificate', async () => {
    const soon = sim.seed.certificate({ certificateType: 'DISTRIBUTION', expiresAt: new Date(Date.now() + 40 * 86_400_000) });
    const r = await call(sim, key, 'POST', '/v1/profiles', { body: profileBody('Short', 'IOS_APP_STORE', bundle, [soon.id]) });
    expect(new Date(r.body.data.attributes.expirationDate).getTime()).toBe(soon.expirationDate.getTime());
  });

  it('refuses a second profile with the same name (any state) with 409 "Multiple profiles found"', async () => {
    sim.seed.profile({ name: 'Taken', profileType: 'IOS_APP_STORE', bundleId: bundle, certificateIds: [dist.id], state: 'INVALID' });
    const r = await call(sim, key, 'POST', '/v1/profiles', { body: profileBody('Taken', 'IOS_APP_STORE', bundle, [dist.id]) });
    expect(r.status).toBe(409);
    expect(r.body.errors[0]).toMatchObject({
      code: 'ENTITY_ERROR',
      detail: "There is a problem with the request entity: Multiple profiles found with the name 'Taken'.  Please remove the duplicate profiles and try again.",
    });
    expect(sim.state().profiles.filter((p) => p.name === 'Taken')).toHaveLength(1);
  });

  it('refuses an unknown bundle ID with 409 "There is no App ID with ID"', async () => {
    const r = await call(sim, key, 'POST', '/v1/profiles', { body: profileBody('No app', 'IOS_APP_STORE', 'NOSUCHAPP1', [dist.id]) });
    expect(r.status).toBe(409);
    expect(r.body.errors[0].detail).toBe("There is no App ID with ID 'NOSUCHAPP1' on this team.");
  });

  it.each([
    ['a development certificate in an App Store profile', 'IOS_APP_STORE', () => [dev.id], undefined],
    ['devices in an App Store profile', 'IOS_APP_STORE', () => [dist.id], () => [phones[0] ?? '']],
    ['an ad hoc profile without devices', 'IOS_APP_ADHOC', () => [dist.id], undefined],
    ['an unknown certificate', 'IOS_APP_STORE', () => ['NOSUCHCERT'], undefined],
  ])('refuses %s with 409', async (_what, type, certs, devices) => {
    const r = await call(sim, key, 'POST', '/v1/profiles', { body: profileBody(`Bad ${type} ${Math.random()}`, type, bundle, certs(), devices?.()) });
    expect(r.status).toBe(409);
    expect(r.body.errors[0].code).toMatch(/^ENTITY_ERROR/);
  });

  it('refuses devices on App Store and In-House profiles with 409 ENTITY_ERROR.RELATIONSHIP.NOT_ALLOWED, as Apple does', async () => {
    const expected = {
      status: '409',
      code: 'ENTITY_ERROR.RELATIONSHIP.NOT_ALLOWED',
      detail: 'No devices can be associated to Provisioning Profiles for the App Store.',
      source: { pointer: '/data/relationships/devices' },
    };
    for (const type of ['IOS_APP_STORE', 'TVOS_APP_STORE']) {
      const r = await call(sim, key, 'POST', '/v1/profiles', { body: profileBody(`Store ${type}`, type, bundle, [dist.id], [phones[0] ?? '']) });
      expect(r.status).toBe(409);
      expect(r.body.errors[0]).toMatchObject(expected);
    }
    const ent = sim.addKey({ api: 'enterprise' });
    const eb = sim.seed.bundleId({ identifier: 'com.example.inhouse.devices', api: 'enterprise' });
    const ec = sim.seed.certificate({ certificateType: 'DISTRIBUTION', api: 'enterprise' });
    const ed = sim.seed.device({ udid: udid40(90), api: 'enterprise' });
    const r = await call(sim, ent, 'POST', '/v1/profiles', { body: profileBody('Inhouse with devices', 'IOS_APP_INHOUSE', eb.id, [ec.id], [ed.id]) });
    expect(r.status).toBe(409);
    expect(r.body.errors[0]).toMatchObject(expected);
    expect(sim.state('enterprise').profiles).toEqual([]);
  });

  it('refuses PROCESSING and DISABLED devices, and devices of another platform', async () => {
    const processing = (
      await call(sim, key, 'POST', '/v1/devices', { body: { data: { type: 'devices', attributes: { name: 'New', udid: udid40(50), platform: 'IOS' } } } })
    ).body.data;
    expect(processing.attributes.status).toBe('PROCESSING');
    const disabled = sim.seed.device({ udid: udid40(51), status: 'DISABLED' });
    const mac = sim.seed.device({ udid: udid40(52), platform: 'MAC_OS' });
    for (const id of [processing.id, disabled.id, mac.id]) {
      const r = await call(sim, key, 'POST', '/v1/profiles', { body: profileBody(`With ${id}`, 'IOS_APP_DEVELOPMENT', bundle, [dev.id], [id]) });
      expect(r.status).toBe(409);
      expect(r.body.errors[0]).toMatchObject({ code: 'ENTITY_ERROR.RELATIONSHIP.INVALID', source: { pointer: '/data/relationships/devices' } });
    }
  });

  it('allows IOS_APP_INHOUSE only on the Enterprise API, and makes it provision all devices', async () => {
    const asc = await call(sim, key, 'POST', '/v1/profiles', { body: profileBody('Inhouse', 'IOS_APP_INHOUSE', bundle, [dist.id]) });
    expect(asc.status).toBe(409);
    const ent = sim.addKey({ api: 'enterprise' });
    const eb = sim.seed.bundleId({ identifier: 'com.example.inhouse', api: 'enterprise' });
    const ec = sim.seed.certificate({ certificateType: 'DISTRIBUTION', api: 'enterprise' });
    const r = await call(sim, ent, 'POST', '/v1/profiles', { body: profileBody('Inhouse', 'IOS_APP_INHOUSE', eb.id, [ec.id]) });
    expect(r.status).toBe(201);
    const { plist } = openProfile(r.body.data.attributes.profileContent);
    expect(plist['ProvisionsAllDevices']).toBe(true);
    expect(plist['ProvisionedDevices']).toBeUndefined();
  });

  it('writes macOS profiles with Platform OSX and com.apple.application-identifier', async () => {
    const mb = sim.seed.bundleId({ identifier: 'com.example.mac', platform: 'MAC_OS' });
    const r = await call(sim, key, 'POST', '/v1/profiles', { body: profileBody('Mac store', 'MAC_APP_STORE', mb.id, [dist.id]) });
    expect(r.status).toBe(201);
    expect(r.body.data.attributes.platform).toBe('MAC_OS');
    const { plist } = openProfile(r.body.data.attributes.profileContent);
    expect(plist['Platform']).toEqual(['OSX']);
    expect(plist['Entitlements']).toMatchObject({ 'com.apple.application-identifier': 'SIMTEAM123.com.example.mac' });
  });
});

describe('reading and deleting profiles', () => {
  it('includes bundleId, devices and certificates, capping device linkage at limit[devices] with the total in meta', async () => {
    const p = sim.seed.profile({ name: 'Included', profileType: 'IOS_APP_DEVELOPMENT', bundleId: bundle, certificateIds: [dev.id], deviceIds: phones });
    const r = await call(sim, key, 'GET', `/v1/profiles?filter[name]=Included&include=bundleId,devices,certificates&limit[devices]=2`);
    expect(r.status).toBe(200);
    const rel = r.body.data[0].relationships;
    expect(rel.bundleId.data).toEqual({ type: 'bundleIds', id: bundle });
    expect(rel.devices.data).toEqual(phones.slice(0, 2).map((id) => ({ type: 'devices', id })));
    expect(rel.devices.meta.paging).toEqual({ total: 3, limit: 2 });
    expect(rel.certificates.data).toEqual([{ type: 'certificates', id: dev.id }]);
    const types = r.body.included.map((x: { type: string }) => x.type).sort();
    expect(types).toEqual(['bundleIds', 'certificates', 'devices', 'devices']);
    const all = await call(sim, key, 'GET', `/v1/profiles/${p.id}/devices`);
    expect(all.body.data.map((d: { id: string }) => d.id)).toEqual(phones);
  });

  it('sends relationship linkage only when included', async () => {
    const r = await call(sim, key, 'GET', '/v1/profiles?filter[name]=Included');
    expect(r.body.data[0].relationships.devices.data).toBeUndefined();
    expect(r.body.included).toBeUndefined();
  });

  it('reads a profile, its bundle ID and its certificates', async () => {
    const p = sim.state().profiles.find((x) => x.name === 'Included');
    expect((await call(sim, key, 'GET', `/v1/profiles/${p?.id}`)).body.data.attributes.name).toBe('Included');
    expect((await call(sim, key, 'GET', `/v1/profiles/${p?.id}/bundleId`)).body.data.attributes.identifier).toBe('com.example.app');
    const certs = await call(sim, key, 'GET', `/v1/profiles/${p?.id}/certificates`);
    expect(new X509Certificate(Buffer.from(certs.body.data[0].attributes.certificateContent, 'base64')).subject).toContain('Apple Development');
  });

  it('filters by profileType and profileState', async () => {
    const r = await call(sim, key, 'GET', '/v1/profiles?filter[profileType]=IOS_APP_STORE&filter[profileState]=INVALID');
    expect(r.body.data.map((p: { attributes: { name: string } }) => p.attributes.name)).toEqual(['Taken']);
  });

  it('keeps a seeded profile ACTIVE past its expirationDate, as Apple does', async () => {
    const past = new Date(Date.now() - 5 * 86_400_000);
    const p = sim.seed.profile({ name: 'Stale', profileType: 'IOS_APP_STORE', bundleId: bundle, certificateIds: [dist.id], expiresAt: past });
    const r = await call(sim, key, 'GET', `/v1/profiles/${p.id}`);
    expect(r.body.data.attributes.profileState).toBe('ACTIVE');
    expect(new Date(r.body.data.attributes.expirationDate).getTime()).toBe(past.getTime());
    // EXPIRED and INVALID (both seen from Apple for expired profiles) come only by seeding.
    for (const state of ['EXPIRED', 'INVALID'] as const) {
      const s = sim.seed.profile({ name: `Stale ${state}`, profileType: 'IOS_APP_STORE', bundleId: bundle, certificateIds: [dist.id], expiresAt: past, state });
      expect((await call(sim, key, 'GET', `/v1/profiles/${s.id}`)).body.data.attributes.profileState).toBe(state);
    }
  });

  it('without limit[devices], links up to 50 related devices (the spec maximum) with the total in meta', async () => {
    const many = Array.from({ length: 55 }, (_, i) => sim.seed.device({ udid: udid40(1000 + i) }).id);
    sim.seed.profile({ name: 'Crowded', profileType: 'IOS_APP_DEVELOPMENT', bundleId: bundle, certificateIds: [dev.id], deviceIds: many });
    const r = await call(sim, key, 'GET', '/v1/profiles?filter[name]=Crowded&include=devices');
    const rel = r.body.data[0].relationships.devices;
    expect(rel.data).toHaveLength(50);
    expect(rel.meta.paging).toEqual({ total: 55, limit: 50 });
    expect(r.body.included).toHaveLength(50);
  });

  it('serves the linkage reads the spec declares: /relationships/devices, /certificates (paged) and /bundleId', async () => {
    const p = sim.seed.profile({ name: 'Linked', profileType: 'IOS_APP_DEVELOPMENT', bundleId: bundle, certificateIds: [dev.id], deviceIds: phones });
    const devices = await call(sim, key, 'GET', `/v1/profiles/${p.id}/relationships/devices?limit=2`);
    expect(devices.status).toBe(200);
    expect(devices.body.data).toEqual(phones.slice(0, 2).map((id) => ({ type: 'devices', id })));
    expect(devices.body.meta.paging).toMatchObject({ total: 3, limit: 2 });
    const next = await call(sim, key, 'GET', devices.body.links.next);
    expect(next.body.data).toEqual([{ type: 'devices', id: phones[2] }]);
    expect((await call(sim, key, 'GET', `/v1/profiles/${p.id}/relationships/certificates`)).body.data).toEqual([{ type: 'certificates', id: dev.id }]);
    const b = await call(sim, key, 'GET', `/v1/profiles/${p.id}/relationships/bundleId`);
    expect(b.body).toEqual({ data: { type: 'bundleIds', id: bundle }, links: { self: `${sim.url}/v1/profiles/${p.id}/relationships/bundleId` } });
    // The links a profile carries lead to these reads.
    const self = (await call(sim, key, 'GET', `/v1/profiles/${p.id}`)).body.data.relationships.devices.links.self;
    expect((await call(sim, key, 'GET', self)).status).toBe(200);
    expect((await call(sim, key, 'GET', `/v1/profiles/NOPE/relationships/devices`)).status).toBe(404);
    expect((await call(sim, key, 'GET', `/v1/profiles/${p.id}/relationships/devices?fields[devices]=name`)).status).toBe(400);
  });

  it('has no linkage reads on the Enterprise API, whose spec declares none', async () => {
    const ent = sim.addKey({ api: 'enterprise' });
    const r = await call(sim, ent, 'GET', '/v1/profiles/ANY/relationships/devices');
    expect(r.status).toBe(404);
  });

  it('deletes a profile (204) and has no PATCH (405)', async () => {
    const p = sim.seed.profile({ name: 'Doomed', profileType: 'IOS_APP_STORE', bundleId: bundle, certificateIds: [dist.id] });
    const patch = await call(sim, key, 'PATCH', `/v1/profiles/${p.id}`, { body: { data: { type: 'profiles', id: p.id, attributes: { name: 'x' } } } });
    expect(patch.status).toBe(405);
    expect((await call(sim, key, 'DELETE', `/v1/profiles/${p.id}`)).status).toBe(204);
    expect((await call(sim, key, 'GET', `/v1/profiles/${p.id}`)).status).toBe(404);
  });

  it('invalidates profiles holding a device that gets disabled', async () => {
    const d = sim.seed.device({ udid: udid40(70) });
    const p = sim.seed.profile({ name: 'Holds 70', profileType: 'IOS_APP_DEVELOPMENT', bundleId: bundle, certificateIds: [dev.id], deviceIds: [d.id] });
    await call(sim, key, 'PATCH', `/v1/devices/${d.id}`, { body: { data: { type: 'devices', id: d.id, attributes: { status: 'DISABLED' } } } });
    expect(sim.state().profiles.find((x) => x.id === p.id)?.profileState).toBe('INVALID');
  });
});
