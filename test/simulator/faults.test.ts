// Injected faults: status with Retry-After, dropped connections, delays, and writes that commit but lose their answer.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type ApiKeyCredentials, type Simulator } from '../../simulator/index.js';
import { call, deviceBody, makeToken, profileBody, responseProblems, udid40 } from './helpers.js';

let sim: Simulator;
let key: ApiKeyCredentials;

beforeAll(async () => {
  sim = await startSimulator();
  key = sim.addKey();
});
afterAll(() => sim.close());
afterEach(() => {
  expect(responseProblems(sim)).toEqual([]);
  sim.faults.clear();
  sim.clearRequests();
});

describe('faults with a status', () => {
  it("answers 429 with Apple's RATE_LIMIT_EXCEEDED body and Retry-After, then serves normally", async () => {
    sim.faults.add({ method: 'GET', path: '/v1/devices', status: 429, retryAfter: 7 });
    const r = await call(sim, key, 'GET', '/v1/devices');
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBe('7');
    expect(r.headers['x-rate-limit']).toMatch(/^user-hour-lim:\d+;user-hour-rem:\d+;$/);
    expect(r.body.errors[0]).toMatchObject({ status: '429', code: 'RATE_LIMIT_EXCEEDED' });
    expect((await call(sim, key, 'GET', '/v1/devices')).status).toBe(200);
    expect(sim.requests.map((x) => [x.status, x.fault])).toEqual([
      [429, 'status:429'],
      [200, undefined],
    ]);
  });

  it('answers 5xx with UNEXPECTED_ERROR', async () => {
    sim.faults.add({ status: 503 });
    const r = await call(sim, key, 'GET', '/v1/bundleIds');
    expect(r.status).toBe(503);
    expect(r.body.errors[0]).toMatchObject({ status: '503', code: 'UNEXPECTED_ERROR', title: 'An unexpected error occurred.' });
  });

  it('applies to `times` matching requests, in insertion order, and only to matching method and path', async () => {
    sim.faults.add({ method: 'GET', path: /^\/v1\/devices/, status: 500, times: 2, name: 'flaky listing' });
    sim.faults.add({ method: 'GET', path: '/v1/devices', status: 502 });
    expect((await call(sim, key, 'GET', '/v1/bundleIds')).status).toBe(200);
    expect((await call(sim, key, 'POST', '/v1/devices', { body: deviceBody(udid40(1)) })).status).toBe(201);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(sim, key, 'GET', '/v1/devices')).status);
    expect(statuses).toEqual([500, 500, 502, 200]);
    expect(sim.requests.filter((r) => r.fault === 'flaky listing')).toHaveLength(2);
  });

  it('clear() removes pending faults', async () => {
    sim.faults.add({ status: 500, times: 10 });
    sim.faults.clear();
    expect((await call(sim, key, 'GET', '/v1/devices')).status).toBe(200);
  });
});

describe('dropped connections and delays', () => {
  it('destroys the socket without any response (drop) and records status 0', async () => {
    sim.faults.add({ method: 'GET', path: '/v1/devices', drop: true });
    await expect(call(sim, key, 'GET', '/v1/devices')).rejects.toThrow();
    expect(sim.requests[0]).toMatchObject({ status: 0, fault: 'drop' });
    expect(sim.requests[0]?.responseBody).toBeUndefined();
    expect((await call(sim, key, 'GET', '/v1/devices')).status).toBe(200);
  });

  it('waits delayMs before handling', async () => {
    sim.faults.add({ delayMs: 300 });
    const started = Date.now();
    expect((await call(sim, key, 'GET', '/v1/devices')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });
});

describe('afterCommit: the write succeeded but its response was lost', () => {
  it('creates the device for real, then answers 500', async () => {
    sim.faults.add({ method: 'POST', path: '/v1/devices', status: 500, afterCommit: true });
    const r = await call(sim, key, 'POST', '/v1/devices', { body: deviceBody(udid40(2), 'Committed') });
    expect(r.status).toBe(500);
    expect(sim.state().devices.filter((d) => d.udid === udid40(2))).toHaveLength(1);
    const again = await call(sim, key, 'POST', '/v1/devices', { body: deviceBody(udid40(2), 'Committed') });
    expect(again.status).toBe(409);
  });

  it('creates the profile for real, then drops the connection', async () => {
    const b = sim.seed.bundleId({ identifier: 'com.example.lost' });
    const c = sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    sim.faults.add({ method: 'POST', path: '/v1/profiles', drop: true, afterCommit: true });
    await expect(call(sim, key, 'POST', '/v1/profiles', { body: profileBody('Lost answer', 'IOS_APP_STORE', b.id, [c.id]) })).rejects.toThrow();
    expect(sim.state().profiles.map((p) => p.name)).toContain('Lost answer');
    expect(sim.requests[0]).toMatchObject({ status: 0, fault: 'drop+afterCommit' });
    const listed = await call(sim, key, 'GET', '/v1/profiles?filter[name]=Lost%20answer');
    expect(listed.body.data).toHaveLength(1);
  });
});

describe('expireTokens fault', () => {
  it('refuses the request that meets it and every earlier token with 401; a new token works', async () => {
    const token = makeToken(key);
    expect((await call(sim, key, 'GET', '/v1/devices', { token })).status).toBe(200);
    sim.faults.add({ method: 'POST', path: '/v1/devices', expireTokens: true });
    const r = await call(sim, key, 'POST', '/v1/devices', { token, body: deviceBody(udid40(3)) });
    expect(r.status).toBe(401);
    expect(r.body.errors[0].code).toBe('NOT_AUTHORIZED');
    expect((await call(sim, key, 'GET', '/v1/devices', { token })).status).toBe(401);
    expect((await call(sim, key, 'POST', '/v1/devices', { body: deviceBody(udid40(3)) })).status).toBe(201);
  });
});
