// Bundle IDs: the non-exact identifier filter, include=profiles, the bundle's profiles, create/rename/delete (docs/apple-facts.md §1.8).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type ApiKeyCredentials, type Simulator } from '../../simulator/index.js';
import { call, responseProblems } from './helpers.js';

let sim: Simulator;
let key: ApiKeyCredentials;

beforeAll(async () => {
  sim = await startSimulator();
  key = sim.addKey();
  for (const id of ['com.example.app', 'com.example.app.widget', 'com.example.app.Clip', 'com.example.apple', 'org.other.app']) {
    sim.seed.bundleId({ identifier: id });
  }
});
afterAll(() => sim.close());
afterEach(() => {
  expect(responseProblems(sim)).toEqual([]);
  sim.clearRequests();
});

const identifiers = (body: { data: { attributes: { identifier: string } }[] }) => body.data.map((b) => b.attributes.identifier).sort();

describe('filter[identifier] is not exact', () => {
  it('returns every bundle ID that starts with the value (com.example.app also finds .widget, .Clip and com.example.apple)', async () => {
    const r = await call(sim, key, 'GET', '/v1/bundleIds?filter[identifier]=com.example.app');
    expect(identifiers(r.body)).toEqual(['com.example.app', 'com.example.app.Clip', 'com.example.app.widget', 'com.example.apple']);
  });

  it('filters by platform and id exactly', async () => {
    const mac = sim.seed.bundleId({ identifier: 'com.example.desktop', platform: 'MAC_OS' });
    const r = await call(sim, key, 'GET', '/v1/bundleIds?filter[platform]=MAC_OS');
    expect(identifiers(r.body)).toEqual(['com.example.desktop']);
    expect(identifiers((await call(sim, key, 'GET', `/v1/bundleIds?filter[id]=${mac.id}`)).body)).toEqual(['com.example.desktop']);
  });
});

describe('SERVICES bundle IDs', () => {
  it('lists a seeded platform SERVICES bundle ID (undocumented, seen from Apple) with the others', async () => {
    const services = sim.seed.bundleId({ identifier: 'com.example.app.signin', name: 'Sign in service', platform: 'SERVICES' });
    const r = await call(sim, key, 'GET', '/v1/bundleIds?filter[identifier]=com.example.app.signin');
    expect(r.body.data).toEqual([expect.objectContaining({ id: services.id, attributes: expect.objectContaining({ platform: 'SERVICES' }) })]);
    // The spec's platform filter has no SERVICES: asking for it is a 400, as for any value the spec lacks.
    expect((await call(sim, key, 'GET', '/v1/bundleIds?filter[platform]=SERVICES')).status).toBe(400);
  });
});

describe('bundle IDs and their profiles', () => {
  it('serves /v1/bundleIds/{id}/relationships/profiles: the profile linkage, paged', async () => {
    const b = sim.seed.bundleId({ identifier: 'com.example.linked' });
    const cert = sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    const ids = ['A', 'B', 'C'].map(
      (n) => sim.seed.profile({ name: `Linked ${n}`, profileType: 'IOS_APP_STORE', bundleId: b.id, certificateIds: [cert.id] }).id,
    );
    const r = await call(sim, key, 'GET', `/v1/bundleIds/${b.id}/relationships/profiles?limit=2`);
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual(ids.slice(0, 2).map((id) => ({ type: 'profiles', id })));
    expect(r.body.meta.paging).toMatchObject({ total: 3, limit: 2 });
    expect(r.body.links.next).toBeDefined();
    expect((await call(sim, key, 'GET', '/v1/bundleIds/NOPE/relationships/profiles')).status).toBe(404);
  });

  it('includes the profiles of a bundle ID with include=profiles', async () => {
    const b = sim.state().bundleIds.find((x) => x.identifier === 'com.example.app');
    const c = sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    const p = sim.seed.profile({ name: 'App Store', profileType: 'IOS_APP_STORE', bundleId: b?.id ?? '', certificateIds: [c.id] });
    const r = await call(sim, key, 'GET', `/v1/bundleIds/${b?.id}?include=profiles`);
    expect(r.status).toBe(200);
    expect(r.body.data.relationships.profiles.data).toEqual([{ type: 'profiles', id: p.id }]);
    expect(r.body.included.map((x: { type: string; id: string }) => `${x.type}/${x.id}`)).toEqual([`profiles/${p.id}`]);
    const related = await call(sim, key, 'GET', `/v1/bundleIds/${b?.id}/profiles`);
    expect(related.body.data.map((x: { id: string }) => x.id)).toEqual([p.id]);
    expect(related.body.meta.paging.total).toBe(1);
  });

  it('answers 404 for the profiles of an unknown bundle ID', async () => {
    expect((await call(sim, key, 'GET', '/v1/bundleIds/NOSUCHAPP1/profiles')).status).toBe(404);
  });
});

describe('creating, renaming and deleting bundle IDs', () => {
  const create = (identifier: string, platform = 'IOS') =>
    call(sim, key, 'POST', '/v1/bundleIds', { body: { data: { type: 'bundleIds', attributes: { identifier, name: 'New App', platform } } } });

  it('creates a bundle ID with the team ID as seedId', async () => {
    const r = await create('com.example.new');
    expect(r.status).toBe(201);
    expect(r.body.data.attributes).toEqual({ name: 'New App', identifier: 'com.example.new', platform: 'IOS', seedId: 'SIMTEAM123' });
  });

  it('refuses an identifier that is taken (case-insensitively) or malformed', async () => {
    const taken = await create('COM.EXAMPLE.NEW');
    expect(taken.status).toBe(409);
    expect(taken.body.errors[0]).toMatchObject({ code: 'ENTITY_ERROR.ATTRIBUTE.INVALID', source: { pointer: '/data/attributes/identifier' } });
    expect((await create('com example')).status).toBe(409);
  });

  it('renames with PATCH and deletes with DELETE, taking its profiles along', async () => {
    const b = sim.seed.bundleId({ identifier: 'com.example.gone' });
    const c = sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    const p = sim.seed.profile({ name: 'Gone profile', profileType: 'IOS_APP_STORE', bundleId: b.id, certificateIds: [c.id] });
    const renamed = await call(sim, key, 'PATCH', `/v1/bundleIds/${b.id}`, {
      body: { data: { type: 'bundleIds', id: b.id, attributes: { name: 'Renamed' } } },
    });
    expect(renamed.body.data.attributes.name).toBe('Renamed');
    expect((await call(sim, key, 'DELETE', `/v1/bundleIds/${b.id}`)).status).toBe(204);
    expect(sim.state().profiles.some((x) => x.id === p.id)).toBe(false);
  });
});
