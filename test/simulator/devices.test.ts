// Devices: registration, duplicates, UDID forms, PROCESSING, the yearly limit, updates (docs/apple-facts.md §1.5, 1.9).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type ApiKeyCredentials, type Simulator } from '../../simulator/index.js';
import { call, deviceBody, responseProblems, udid40 } from './helpers.js';

let sim: Simulator;
let key: ApiKeyCredentials;

beforeAll(async () => {
  sim = await startSimulator({ immediateDevices: 1000 });
  key = sim.addKey();
});
afterAll(() => sim.close());
afterEach(() => {
  expect(responseProblems(sim)).toEqual([]);
  sim.clearRequests();
});

describe('registering devices', () => {
  it('creates a device: 201 with the resource, an Apple-style id and self link, status ENABLED', async () => {
    const r = await call(sim, key, 'POST', '/v1/devices', { body: deviceBody('00008110-000E49383CF8801E', 'Ana iPhone') });
    expect(r.status).toBe(201);
    expect(r.body.data).toMatchObject({
      type: 'devices',
      id: expect.stringMatching(/^[A-Z0-9]{10}$/),
      attributes: { name: 'Ana iPhone', udid: '00008110-000E49383CF8801E', platform: 'IOS', status: 'ENABLED', deviceClass: 'IPHONE' },
    });
    expect(r.body.data.attributes.addedDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
    expect(r.body.data.links.self).toBe(`${sim.url}/v1/devices/${r.body.data.id}`);
    expect(r.body.links.self).toBe(`${sim.url}/v1/devices`);
    expect(sim.state().devices.map((d) => d.udid)).toContain('00008110-000E49383CF8801E');
  });

  it.each([
    ['40 hex (legacy)', 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'],
    ['8-16 hex (iPhone XS and later)', '00008120-001122334455AABB'],
    ['36-char UUID (Intel Mac)', '564D4F9E-3B2A-5C1D-9E8F-0A1B2C3D4E5F'],
  ])('accepts the %s UDID form', async (_form, udid) => {
    expect((await call(sim, key, 'POST', '/v1/devices', { body: deviceBody(udid, 'x', udid.length === 36 ? 'MAC_OS' : 'IOS') })).status).toBe(201);
  });

  it("refuses a duplicate UDID, compared case-insensitively, with Apple's 409 ENTITY_ERROR", async () => {
    await call(sim, key, 'POST', '/v1/devices', { body: deviceBody('00008130-00AABBCCDDEEFF00') });
    const r = await call(sim, key, 'POST', '/v1/devices', { body: deviceBody('00008130-00aabbccddeeff00') });
    expect(r.status).toBe(409);
    expect(r.body.errors[0]).toMatchObject({
      status: '409',
      code: 'ENTITY_ERROR',
      title: 'There is a problem with the request entity',
      detail: "A device with number '00008130-00aabbccddeeff00' already exists on this team.",
    });
  });

  it.each(['not-a-udid', '00008110-000E49383CF8801', 'g1b2c3d4e5f60718293a4b5c6d7e8f9012345678', ' 00008110-000E49383CF8801F'])(
    'refuses the invalid UDID %j with 409 ENTITY_ERROR.ATTRIBUTE.INVALID pointing at /data/attributes/udid',
    async (udid) => {
      const r = await call(sim, key, 'POST', '/v1/devices', { body: deviceBody(udid) });
      expect(r.status).toBe(409);
      expect(r.body.errors[0]).toMatchObject({
        code: 'ENTITY_ERROR.ATTRIBUTE.INVALID',
        detail: `An invalid value '${udid}' was provided for the parameter 'udid'.`,
        source: { pointer: '/data/attributes/udid' },
      });
    },
  );

  it('requires name, udid and platform', async () => {
    const r = await call(sim, key, 'POST', '/v1/devices', { body: { data: { type: 'devices', attributes: { udid: udid40(990) } } } });
    expect(r.status).toBe(409);
    expect(r.body.errors[0]).toMatchObject({ code: 'ENTITY_ERROR.ATTRIBUTE.REQUIRED', source: { pointer: '/data/attributes/name' } });
  });

  it('refuses a platform the API does not know (UNIVERSAL on Enterprise)', async () => {
    const ent = sim.addKey({ api: 'enterprise' });
    const r = await call(sim, ent, 'POST', '/v1/devices', { body: deviceBody(udid40(991), 'x', 'UNIVERSAL') });
    expect(r.status).toBe(409);
    expect(r.body.errors[0].source).toEqual({ pointer: '/data/attributes/platform' });
  });

  it('refuses a body that is not JSON, or not a JSON:API document, with 422', async () => {
    const notJson = await call(sim, key, 'POST', '/v1/devices', { rawBody: '{"data": ' });
    expect(notJson.status).toBe(422);
    expect(notJson.body.errors[0].status).toBe('422');
    expect((await call(sim, key, 'POST', '/v1/devices', { body: [1, 2] })).status).toBe(422);
  });
});

describe('PROCESSING and the yearly limit', () => {
  it('creates the first immediateDevices of the year ENABLED and later ones PROCESSING, in the 201 too', async () => {
    const s = await startSimulator({ immediateDevices: 2 });
    try {
      const k = s.addKey();
      s.seed.device({ udid: udid40(1) }); // seeded devices are from earlier membership years
      const statuses: string[] = [];
      for (let i = 2; i <= 4; i++) {
        const r = await call(s, k, 'POST', '/v1/devices', { body: deviceBody(udid40(i)) });
        statuses.push(r.body.data.attributes.status);
      }
      expect(statuses).toEqual(['ENABLED', 'ENABLED', 'PROCESSING']);
      const listed = await call(s, k, 'GET', `/v1/devices?filter[udid]=${udid40(4)}`);
      expect(listed.body.data[0].attributes.status).toBe('PROCESSING');
      s.finishProcessing();
      expect(s.state().devices.find((d) => d.udid === udid40(4))?.status).toBe('ENABLED');
    } finally {
      await s.close();
    }
  });

  it('refuses a device once its platform family holds deviceYearlyLimit devices (403), per family', async () => {
    const s = await startSimulator({ deviceYearlyLimit: 2 });
    try {
      const k = s.addKey();
      s.seed.device({ udid: udid40(1), status: 'DISABLED' }); // disabled devices still hold a slot
      expect((await call(s, k, 'POST', '/v1/devices', { body: deviceBody(udid40(2)) })).status).toBe(201);
      const r = await call(s, k, 'POST', '/v1/devices', { body: deviceBody(udid40(3)) });
      expect(r.status).toBe(403);
      expect(r.body.errors[0]).toMatchObject({
        code: 'FORBIDDEN_ERROR',
        title: 'This request is forbidden for security reasons',
        detail: 'Your development team has reached the maximum number of registered iPhone devices.',
      });
      expect((await call(s, k, 'POST', '/v1/devices', { body: deviceBody(udid40(4), 'Mac', 'MAC_OS') })).status).toBe(201);
    } finally {
      await s.close();
    }
  });

  it('lifts the limit with deviceYearlyLimit: null', async () => {
    const s = await startSimulator({ deviceYearlyLimit: null, immediateDevices: 0 });
    try {
      const k = s.addKey();
      for (let i = 1; i <= 3; i++) expect((await call(s, k, 'POST', '/v1/devices', { body: deviceBody(udid40(i)) })).status).toBe(201);
    } finally {
      await s.close();
    }
  });
});

describe('reading and updating devices', () => {
  it('reads a device by id and answers 404 NOT_FOUND for an unknown id', async () => {
    const d = sim.seed.device({ udid: udid40(500), name: 'Reader' });
    const r = await call(sim, key, 'GET', `/v1/devices/${d.id}`);
    expect(r.status).toBe(200);
    expect(r.body.data.attributes.name).toBe('Reader');
    const missing = await call(sim, key, 'GET', '/v1/devices/ZZZZZZZZZZ');
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0]).toMatchObject({ code: 'NOT_FOUND', detail: "There is no resource of type 'devices' with id 'ZZZZZZZZZZ'" });
  });

  it('sends model as null when Apple has none (a new registration), and the seeded model otherwise', async () => {
    const created = await call(sim, key, 'POST', '/v1/devices', { body: deviceBody(udid40(510)) });
    expect(created.body.data.attributes.model).toBeNull();
    expect(created.text).toMatch(/"model" ?: ?null/);
    const seeded = sim.seed.device({ udid: udid40(511), model: 'iPhone 15 Pro' });
    expect((await call(sim, key, 'GET', `/v1/devices/${seeded.id}`)).body.data.attributes.model).toBe('iPhone 15 Pro');
  });

  it('renames, disables and enables a device with PATCH', async () => {
    const d = sim.seed.device({ udid: udid40(501), name: 'Before' });
    const patch = (attributes: Record<string, unknown>) =>
      call(sim, key, 'PATCH', `/v1/devices/${d.id}`, { body: { data: { type: 'devices', id: d.id, attributes } } });
    expect((await patch({ name: 'After' })).body.data.attributes).toMatchObject({ name: 'After', status: 'ENABLED' });
    expect((await patch({ status: 'DISABLED' })).body.data.attributes.status).toBe('DISABLED');
    expect((await patch({ status: 'ENABLED' })).body.data.attributes.status).toBe('ENABLED');
  });

  it('refuses PATCH with an id that differs from the path, and unknown attributes', async () => {
    const d = sim.seed.device({ udid: udid40(502) });
    const wrongId = await call(sim, key, 'PATCH', `/v1/devices/${d.id}`, { body: { data: { type: 'devices', id: 'OTHER', attributes: { name: 'x' } } } });
    expect(wrongId.status).toBe(409);
    const udid = await call(sim, key, 'PATCH', `/v1/devices/${d.id}`, { body: { data: { type: 'devices', id: d.id, attributes: { udid: udid40(503) } } } });
    expect(udid.status).toBe(409);
    expect(udid.body.errors[0].code).toBe('ENTITY_ERROR.ATTRIBUTE.UNKNOWN');
  });

  it('has no DELETE for devices: 405 METHOD_NOT_ALLOWED', async () => {
    const d = sim.seed.device({ udid: udid40(504) });
    const r = await call(sim, key, 'DELETE', `/v1/devices/${d.id}`);
    expect(r.status).toBe(405);
    expect(r.body.errors[0]).toMatchObject({ status: '405', code: 'METHOD_NOT_ALLOWED' });
    expect(sim.state().devices.some((x) => x.id === d.id)).toBe(true);
  });

  it('answers 404 for a path Apple does not have', async () => {
    const r = await call(sim, key, 'GET', '/v1/deviceFamilies');
    expect(r.status).toBe(404);
    expect(r.body.errors[0].code).toBe('NOT_FOUND');
  });

  it('keeps the App Store Connect and Enterprise accounts apart', async () => {
    const ent = sim.addKey({ api: 'enterprise' });
    await call(sim, ent, 'POST', '/v1/devices', { body: deviceBody(udid40(600)) });
    expect(sim.state('enterprise').devices.map((d) => d.udid)).toEqual([udid40(600)]);
    expect(sim.state().devices.some((d) => d.udid === udid40(600))).toBe(false);
    const other = sim.state('enterprise').devices[0]?.id ?? '';
    expect((await call(sim, key, 'GET', `/v1/devices/${other}`)).status).toBe(404);
  });
});
