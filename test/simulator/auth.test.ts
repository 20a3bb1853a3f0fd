// JWT verification: what Apple accepts and every reason it refuses a token (docs/apple-facts.md §1.1, 2).
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type ApiKeyCredentials, type Simulator } from '../../simulator/index.js';
import { AUD, call, makeToken, type TokenOptions } from './helpers.js';

const NOT_AUTHORIZED = {
  status: '401',
  code: 'NOT_AUTHORIZED',
  title: 'Authentication credentials are missing or invalid.',
  detail:
    'Provide a properly configured and signed bearer token, and make sure that it has not expired. Learn more about Generating Tokens for API Requests https://developer.apple.com/go/?id=api-generating-tokens',
};

let sim: Simulator;
let team: ApiKeyCredentials;
let individual: ApiKeyCredentials;
let enterprise: ApiKeyCredentials;

beforeAll(async () => {
  sim = await startSimulator();
  team = sim.addKey({ api: 'app-store-connect', kind: 'team' });
  individual = sim.addKey({ api: 'app-store-connect', kind: 'individual' });
  enterprise = sim.addKey({ api: 'enterprise', kind: 'team' });
});
afterAll(() => sim.close());
beforeEach(() => sim.clearRequests());

async function statusWith(key: ApiKeyCredentials, o: TokenOptions): Promise<number> {
  return (await call(sim, key, 'GET', '/v1/devices', { token: makeToken(key, o) })).status;
}

describe('accepted tokens', () => {
  it('accepts a team key token (iss = issuer ID, aud appstoreconnect-v1, 10-minute lifetime)', async () => {
    const r = await call(sim, team, 'GET', '/v1/devices');
    expect(r.status).toBe(200);
    expect(sim.requests[0]).toMatchObject({ api: 'app-store-connect', keyId: team.keyId, status: 200 });
  });

  it('accepts an individual key token (sub "user", no iss) but answers 403 FORBIDDEN_ERROR on every provisioning path', async () => {
    expect(individual.issuerId).toBeUndefined();
    const paths: [string, string][] = [
      ['GET', '/v1/devices'],
      ['GET', '/v1/devices/ABC'],
      ['POST', '/v1/devices'],
      ['GET', '/v1/bundleIds'],
      ['GET', '/v1/bundleIds/ABC/relationships/profiles'],
      ['POST', '/v1/bundleIdCapabilities'],
      ['GET', '/v1/certificates'],
      ['DELETE', '/v1/certificates/ABC'],
      ['GET', '/v1/profiles'],
      ['GET', '/v1/profiles/ABC/devices'],
      ['GET', '/v1/passTypeIds'],
      ['GET', '/v1/merchantIds/ABC/certificates'],
    ];
    for (const [method, path] of paths) {
      const r = await call(sim, individual, method, path, method === 'POST' ? { body: { data: {} } } : {});
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.body.errors).toEqual([
        {
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          status: '403',
          code: 'FORBIDDEN_ERROR',
          title: 'This request is forbidden for security reasons',
          detail: 'The API key in use does not allow this request',
        },
      ]);
      expect(sim.requests.at(-1)?.authError).toBeUndefined();
    }
    // The same token is authenticated (a broken one is still 401 first).
    expect((await call(sim, individual, 'GET', '/v1/devices', { token: makeToken(individual, { claims: { iss: 'x' } }) })).status).toBe(401);
  });

  it('accepts a token without iat (older clients) and judges its exp alone', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await statusWith(team, { omit: ['iat'], claims: { exp: now + 1200 } })).toBe(200);
    expect(await statusWith(team, { omit: ['iat'], claims: { exp: now + 1300 } })).toBe(401);
    expect(sim.requests.at(-1)?.authError).toBe('exp more than 20 minutes ahead');
  });

  it('accepts an Enterprise key token with aud apple-developer-enterprise-v1 and serves the Enterprise account', async () => {
    sim.seed.device({ udid: '00008110-0000000000000E01', api: 'enterprise' });
    const r = await call(sim, enterprise, 'GET', '/v1/devices');
    expect(r.status).toBe(200);
    expect(r.body.data.map((d: { attributes: { udid: string } }) => d.attributes.udid)).toEqual(['00008110-0000000000000E01']);
    const asc = await call(sim, team, 'GET', '/v1/devices');
    expect(asc.body.data).toEqual([]);
  });

  it('accepts exactly 20 minutes of lifetime and iat up to 60 s ahead (clock skew)', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await statusWith(team, { claims: { iat: now, exp: now + 1200 } })).toBe(200);
    expect(await statusWith(team, { claims: { iat: now + 55, exp: now + 600 } })).toBe(200);
  });

  it('lets a token be reused until it expires', async () => {
    const token = makeToken(team);
    expect((await call(sim, team, 'GET', '/v1/devices', { token })).status).toBe(200);
    expect((await call(sim, team, 'GET', '/v1/bundleIds', { token })).status).toBe(200);
  });

  it('accepts a GET-only scope that matches the request, ignoring limit, cursor and sort', async () => {
    const token = makeToken(team, { claims: { scope: ['GET /v1/devices?filter[platform]=IOS'] } });
    expect((await call(sim, team, 'GET', '/v1/devices?limit=5&filter[platform]=IOS', { token })).status).toBe(200);
    expect((await call(sim, team, 'GET', '/v1/bundleIds', { token })).status).toBe(401);
    expect(sim.requests[1]?.authError).toBe('scope does not allow this request');
  });
});

describe('refused tokens: 401 NOT_AUTHORIZED with Apple body, and the reason in the request log', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const cases: [string, () => { token?: string; header?: string }, string][] = [
    ['no Authorization header', () => ({ header: '' }), 'missing bearer token'],
    ['a Basic scheme instead of Bearer', () => ({ header: 'Basic dXNlcjpwYXNz' }), 'missing bearer token'],
    ['garbage instead of a JWT', () => ({ token: 'not.a.jwt' }), 'malformed token'],
    ['alg other than ES256', () => ({ token: makeToken(team, { header: { alg: 'ES384' } }) }), 'alg must be ES256'],
    ['typ other than JWT', () => ({ token: makeToken(team, { header: { typ: 'JWS' } }) }), 'typ must be JWT'],
    ['no typ', () => ({ token: makeToken(team, { header: { typ: undefined } }) }), 'typ must be JWT'],
    ['an unknown kid', () => ({ token: makeToken(team, { header: { kid: 'ZZZZZZZZZZ' } }) }), 'unknown kid'],
    [
      'a signature by another key',
      () => ({
        token: makeToken(team, { signWith: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }),
      }),
      'bad signature',
    ],
    ['the Enterprise audience on an App Store Connect key', () => ({ token: makeToken(team, { claims: { aud: AUD.enterprise } }) }), 'wrong audience'],
    [
      'the App Store Connect audience on an Enterprise key',
      () => ({ token: makeToken(enterprise, { claims: { aud: AUD['app-store-connect'] } }) }),
      'wrong audience',
    ],
    ['no aud', () => ({ token: makeToken(team, { omit: ['aud'] }) }), 'missing aud'],
    ['an expired token', () => ({ token: makeToken(team, { claims: { iat: now() - 1300, exp: now() - 100 } }) }), 'token expired'],
    ['no exp', () => ({ token: makeToken(team, { omit: ['exp'] }) }), 'missing exp'],
    [
      'no iat and exp over 20 minutes ahead',
      // 30 s past the limit (20 minutes and a minute of skew), so a slow second between making and checking cannot pass it.
      () => ({ token: makeToken(team, { omit: ['iat'], claims: { exp: now() + 1290 } }) }),
      'exp more than 20 minutes ahead',
    ],
    ['a lifetime over 20 minutes', () => ({ token: makeToken(team, { claims: { iat: now(), exp: now() + 1201 } }) }), 'token lifetime over 20 minutes'],
    ['iat more than 60 s in the future', () => ({ token: makeToken(team, { claims: { iat: now() + 120, exp: now() + 600 } }) }), 'iat in the future'],
    ['a wrong issuer ID', () => ({ token: makeToken(team, { claims: { iss: '00000000-0000-0000-0000-000000000000' } }) }), 'wrong issuer'],
    ['no iss on a team key', () => ({ token: makeToken(team, { omit: ['iss'] }) }), 'wrong issuer'],
    ['iss on an individual key', () => ({ token: makeToken(individual, { claims: { iss: 'x' } }) }), 'iss not allowed for individual keys'],
    [
      'sub other than "user" on an individual key',
      () => ({ token: makeToken(individual, { claims: { sub: 'me' } }) }),
      'sub must be "user" for individual keys',
    ],
    ['a scope on a write', () => ({ token: makeToken(team, { claims: { scope: ['GET /v1/devices'] } }) }), 'scope does not allow this request'],
  ];

  it.each(cases)('refuses %s', async (_what, make, reason) => {
    const { token, header } = make();
    const headers: Record<string, string> | undefined = header === undefined ? undefined : header ? { authorization: header } : {};
    const method = reason === 'scope does not allow this request' ? 'POST' : 'GET';
    const r = await call(sim, undefined, method, '/v1/devices', {
      ...(token ? { token } : {}),
      ...(headers ? { headers } : {}),
      ...(method === 'POST' ? { body: { data: { type: 'devices', attributes: {} } } } : {}),
    });
    expect(r.status).toBe(401);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.body.errors).toHaveLength(1);
    expect(r.body.errors[0]).toMatchObject(NOT_AUTHORIZED);
    expect(r.body.errors[0].id).toMatch(/^[0-9a-f-]{36}$/);
    expect(sim.requests.at(-1)?.authError).toBe(reason);
  });

  it('refuses every token seen before expireTokens() and accepts new ones', async () => {
    const old = makeToken(team, { claims: { iat: Math.floor(Date.now() / 1000) - 5 } });
    expect((await call(sim, team, 'GET', '/v1/devices', { token: old })).status).toBe(200);
    sim.expireTokens();
    const again = await call(sim, team, 'GET', '/v1/devices', { token: old });
    expect(again.status).toBe(401);
    expect(again.body.errors[0].code).toBe('NOT_AUTHORIZED');
    expect(sim.requests.at(-1)?.authError).toBe('token expired');
    expect((await call(sim, team, 'GET', '/v1/devices')).status).toBe(200);
  });

  it('judges exp and iat by the simulator clock', async () => {
    let clock = Date.now();
    const timed = await startSimulator({ now: () => new Date(clock) });
    try {
      const key = timed.addKey();
      const token = makeToken(key, { now: Math.floor(clock / 1000) });
      expect((await call(timed, key, 'GET', '/v1/devices', { token })).status).toBe(200);
      clock += 11 * 60 * 1000;
      expect((await call(timed, key, 'GET', '/v1/devices', { token })).status).toBe(401);
      expect(timed.requests.at(-1)?.authError).toBe('token expired');
    } finally {
      await timed.close();
    }
  });
});

describe('the request log', () => {
  it('records every request with the credential redacted and lists the tokens it saw', async () => {
    const token = makeToken(team);
    await call(sim, team, 'GET', '/v1/devices?limit=5', { token });
    const rec = sim.requests[0];
    expect(rec).toMatchObject({ api: 'app-store-connect', method: 'GET', path: '/v1/devices', query: { limit: '5' }, status: 200 });
    expect(rec?.headers['authorization']).toBe('Bearer [redacted]');
    expect(JSON.stringify(sim.requests)).not.toContain(token);
    expect(sim.tokensSeen()).toContain(token);
  });

  it("records requests it cannot attribute to a key as api 'unknown'", async () => {
    await call(sim, undefined, 'GET', '/v1/devices');
    expect(sim.requests[0]).toMatchObject({ api: 'unknown', status: 401 });
  });
});
