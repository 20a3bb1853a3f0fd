// Paging, sorting, sparse fieldsets and query validation (docs/apple-facts.md §1.4, 1.5).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type ApiKeyCredentials, type Simulator } from '../../simulator/index.js';
import { call, responseProblems, udid40 } from './helpers.js';

let sim: Simulator;
let key: ApiKeyCredentials;
const TOTAL = 450;

beforeAll(async () => {
  sim = await startSimulator();
  key = sim.addKey();
  for (let i = 1; i <= TOTAL; i++) {
    sim.seed.device({ udid: udid40(i), name: `Device ${String(i).padStart(3, '0')}`, platform: i % 2 ? 'IOS' : 'MAC_OS' });
  }
});
afterAll(() => sim.close());
afterEach(() => {
  expect(responseProblems(sim)).toEqual([]);
  sim.clearRequests();
});

const udidsOf = (body: { data: { attributes: { udid: string } }[] }) => body.data.map((d) => d.attributes.udid);

describe('paging', () => {
  it('returns 20 by default with paging meta and an absolute next link carrying cursor and limit', async () => {
    const r = await call(sim, key, 'GET', '/v1/devices');
    expect(r.status).toBe(200);
    expect(r.body.data).toHaveLength(20);
    expect(r.body.meta.paging).toMatchObject({ total: TOTAL, limit: 20 });
    expect(r.body.links.self).toBe(`${sim.url}/v1/devices`);
    const next = new URL(r.body.links.next);
    expect(next.origin).toBe(sim.url);
    expect(next.pathname).toBe('/v1/devices');
    expect(next.searchParams.get('limit')).toBe('20');
    expect(next.searchParams.get('cursor')).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('allows limit up to 200 and walks every page by following links.next verbatim; the last page has no next', async () => {
    const seen: string[] = [];
    let url: string | undefined = '/v1/devices?limit=200';
    let pages = 0;
    while (url) {
      const r = await call(sim, key, 'GET', url);
      expect(r.status).toBe(200);
      expect(r.body.meta.paging.total).toBe(TOTAL);
      seen.push(...udidsOf(r.body));
      url = r.body.links.next;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(TOTAL);
    expect(new Set(seen).size).toBe(TOTAL);
  });

  it('keeps the filters in the next link', async () => {
    const first = await call(sim, key, 'GET', '/v1/devices?filter[platform]=IOS&limit=100');
    expect(first.body.meta.paging.total).toBe(TOTAL / 2);
    const second = await call(sim, key, 'GET', first.body.links.next);
    expect(second.body.data.every((d: { attributes: { platform: string } }) => d.attributes.platform === 'IOS')).toBe(true);
    const third = await call(sim, key, 'GET', second.body.links.next);
    expect(third.body.data).toHaveLength(25);
    expect(third.body.links.next).toBeUndefined();
  });

  it('refuses limit over 200 with 400 PARAMETER_ERROR.INVALID naming the parameter', async () => {
    const r = await call(sim, key, 'GET', '/v1/devices?limit=201');
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatchObject({ status: '400', code: 'PARAMETER_ERROR.INVALID', source: { parameter: 'limit' } });
  });

  it('refuses limit 0 and a non-number', async () => {
    expect((await call(sim, key, 'GET', '/v1/devices?limit=0')).status).toBe(400);
    expect((await call(sim, key, 'GET', '/v1/devices?limit=ten')).status).toBe(400);
  });

  it('refuses a cursor it did not make', async () => {
    const r = await call(sim, key, 'GET', '/v1/devices?cursor=bm90LWEtY3Vyc29y');
    expect(r.status).toBe(400);
    expect(r.body.errors[0].source).toEqual({ parameter: 'cursor' });
  });

  it('refuses an unknown filter value (filter[status]=BROKEN) with 400 PARAMETER_ERROR.INVALID', async () => {
    const r = await call(sim, key, 'GET', '/v1/devices?filter[status]=ENABLED,BROKEN');
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatchObject({ code: 'PARAMETER_ERROR.INVALID', source: { parameter: 'filter[status]' } });
  });

  it('refuses a parameter the operation does not have (filter[bundleId] on profiles) with 400 PARAMETER_ERROR.ILLEGAL', async () => {
    const r = await call(sim, key, 'GET', '/v1/profiles?filter[bundleId]=X');
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatchObject({
      code: 'PARAMETER_ERROR.ILLEGAL',
      title: 'A given parameter is not allowed for this request',
      detail: "The parameter 'filter[bundleId]' can not be used with this request",
    });
  });

  it('caps relationship limits at 50 (limit[devices]=51 is refused)', async () => {
    expect((await call(sim, key, 'GET', '/v1/profiles?include=devices&limit[devices]=51')).status).toBe(400);
    expect((await call(sim, key, 'GET', '/v1/profiles?include=devices&limit[devices]=50')).status).toBe(200);
  });
});

describe('sorting and sparse fieldsets', () => {
  it('sorts by sort=-name', async () => {
    const r = await call(sim, key, 'GET', '/v1/devices?sort=-name&limit=3');
    expect(r.body.data.map((d: { attributes: { name: string } }) => d.attributes.name)).toEqual(['Device 450', 'Device 449', 'Device 448']);
  });

  it('refuses a sort key the spec does not list', async () => {
    expect((await call(sim, key, 'GET', '/v1/devices?sort=addedDate')).status).toBe(400);
  });

  it('returns only the fields asked for with fields[devices]', async () => {
    const r = await call(sim, key, 'GET', '/v1/devices?fields[devices]=udid,status&limit=1');
    expect(Object.keys(r.body.data[0].attributes).sort()).toEqual(['status', 'udid']);
    expect(r.body.data[0]).toMatchObject({ type: 'devices', id: expect.stringMatching(/^[A-Z0-9]{10}$/) });
  });
});

describe('device filters', () => {
  it('matches filter[udid] case-insensitively against a comma list', async () => {
    const r = await call(sim, key, 'GET', `/v1/devices?filter[udid]=${udid40(7).toUpperCase()},${udid40(8)}`);
    expect(udidsOf(r.body).sort()).toEqual([udid40(7), udid40(8)]);
  });

  it('filters by filter[id] and filter[name]', async () => {
    const target = sim.state().devices[41];
    const byId = await call(sim, key, 'GET', `/v1/devices?filter[id]=${target?.id ?? ''}`);
    expect(udidsOf(byId.body)).toEqual([target?.udid]);
    const byName = await call(sim, key, 'GET', '/v1/devices?filter[name]=Device%20003');
    expect(udidsOf(byName.body)).toEqual([udid40(3)]);
  });
});
