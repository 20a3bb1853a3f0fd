// X-Rate-Limit on every response and 429 RATE_LIMIT_EXCEEDED when a key's rolling-hour budget is spent (docs/apple-facts.md §1.2).
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { call, makeToken, responseProblems } from './helpers.js';

const sims: Simulator[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) {
    expect(responseProblems(s)).toEqual([]);
    await s.close();
  }
});

async function sim(opts: Parameters<typeof startSimulator>[0]): Promise<Simulator> {
  const s = await startSimulator(opts);
  sims.push(s);
  return s;
}

describe('rate limit', () => {
  it('sends X-Rate-Limit with the remaining budget of the key on every response (default 3600)', async () => {
    const s = await sim({});
    const key = s.addKey();
    const first = await call(s, key, 'GET', '/v1/devices');
    const second = await call(s, key, 'GET', '/v1/bundleIds');
    expect(first.headers['x-rate-limit']).toBe('user-hour-lim:3600;user-hour-rem:3599;');
    expect(second.headers['x-rate-limit']).toBe('user-hour-lim:3600;user-hour-rem:3598;');
  });

  it('counts per key: another key has its own budget', async () => {
    const s = await sim({ rateLimitPerHour: 5 });
    const a = s.addKey();
    const b = s.addKey();
    await call(s, a, 'GET', '/v1/devices');
    await call(s, a, 'GET', '/v1/devices');
    expect((await call(s, b, 'GET', '/v1/devices')).headers['x-rate-limit']).toBe('user-hour-lim:5;user-hour-rem:4;');
  });

  it('answers 429 RATE_LIMIT_EXCEEDED once the budget is spent, and the refused request costs nothing', async () => {
    const s = await sim({ rateLimitPerHour: 3 });
    const key = s.addKey();
    for (let i = 0; i < 3; i++) expect((await call(s, key, 'GET', '/v1/devices')).status).toBe(200);
    const r = await call(s, key, 'GET', '/v1/devices');
    expect(r.status).toBe(429);
    expect(r.headers['x-rate-limit']).toBe('user-hour-lim:3;user-hour-rem:0;');
    expect(r.body.errors[0]).toMatchObject({
      status: '429',
      code: 'RATE_LIMIT_EXCEEDED',
      title: 'The request rate limit has been reached.',
      detail: "We've received too many requests for this API. Please wait and try again or slow down your request rate.",
    });
    expect((await call(s, key, 'POST', '/v1/devices', { body: {} })).status).toBe(429);
  });

  it('frees budget as requests fall out of the rolling hour', async () => {
    let clock = Date.parse('2026-01-10T10:00:00Z');
    const s = await sim({ rateLimitPerHour: 2, now: () => new Date(clock) });
    const key = s.addKey();
    const token = () => makeToken(key, { now: Math.floor(clock / 1000) });
    await call(s, key, 'GET', '/v1/devices', { token: token() });
    clock += 30 * 60 * 1000;
    await call(s, key, 'GET', '/v1/devices', { token: token() });
    expect((await call(s, key, 'GET', '/v1/devices', { token: token() })).status).toBe(429);
    clock += 31 * 60 * 1000; // the first request is now more than an hour old
    const r = await call(s, key, 'GET', '/v1/devices', { token: token() });
    expect(r.status).toBe(200);
    expect(r.headers['x-rate-limit']).toBe('user-hour-lim:2;user-hour-rem:0;');
  });

  it('shows the header (without spending) on a 401 for a registered key', async () => {
    const s = await sim({ rateLimitPerHour: 10 });
    const key = s.addKey();
    const r = await call(s, key, 'GET', '/v1/devices', { token: makeToken(key, { claims: { aud: 'wrong' } }) });
    expect(r.status).toBe(401);
    expect(r.headers['x-rate-limit']).toBe('user-hour-lim:10;user-hour-rem:10;');
  });
});
