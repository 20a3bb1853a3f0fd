import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createPrivateKey } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signClientAssertion } from '../../src/business/client-assertion.js';
import { startBusinessSimulator, type BusinessAccount, type BusinessSimulator } from '../../simulator/business/index.js';

let sim: BusinessSimulator;
let account: BusinessAccount;
const AUD = 'https://account.apple.com/auth/oauth2/v2/token';

beforeAll(async () => {
  sim = await startBusinessSimulator();
  account = sim.addAccount();
});
afterAll(async () => sim?.close());

interface Claims {
  iss?: string;
  sub?: string;
  aud?: string;
  iat?: number;
  exp?: number;
  jti?: string;
  kid?: string;
}

async function assertion(over: Claims = {}, key = createPrivateKey(account.privateKeyPem)): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const c = { iss: account.clientId, sub: account.clientId, aud: AUD, iat: now, exp: now + 600, jti: randomUUID(), kid: account.keyId, ...over };
  return new SignJWT({ jti: c.jti })
    .setProtectedHeader({ alg: 'ES256', kid: c.kid })
    .setIssuer(c.iss)
    .setSubject(c.sub)
    .setAudience(c.aud)
    .setIssuedAt(c.iat)
    .setExpirationTime(c.exp)
    .sign(key);
}

async function token(jwt: string, extra: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown>; reason: string | undefined }> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: account.clientId,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: jwt,
    scope: 'business.api',
    ...extra,
  });
  const res = await fetch(sim.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, reason: sim.requests.at(-1)?.authError };
}

describe('Apple Business simulator: token endpoint', () => {
  it('issues a one-hour bearer token for a valid assertion, and the token opens the API', async () => {
    const r = await token(await signClientAssertion({ clientId: account.clientId, keyId: account.keyId, key: createPrivateKey(account.privateKeyPem) }));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'business.api' });
    const api = await fetch(`${sim.url}/v1/mdmServers`, { headers: { authorization: `Bearer ${String(r.body['access_token'])}` } });
    expect(api.status).toBe(200);
    sim.expireTokens();
    const after = await fetch(`${sim.url}/v1/mdmServers`, { headers: { authorization: `Bearer ${String(r.body['access_token'])}` } });
    expect(after.status).toBe(401);
  });

  it.each([
    ['a reused jti', async () => assertion({ jti: 'same-jti' }), 'jti reused'],
    ['the token URL as audience', async () => assertion({ aud: 'https://account.apple.com/auth/oauth2/token' }), 'wrong audience'],
    ['iss different from the client ID', async () => assertion({ iss: 'someone-else' }), 'invalid iss'],
    [
      'a lifetime of 180 days',
      // iat and exp from one clock reading, so a second passing between them cannot make it 180 days less a second.
      async () => {
        const now = Math.floor(Date.now() / 1000);
        return assertion({ iat: now, exp: now + 180 * 86400 });
      },
      'assertion lifetime not under 180 days',
    ],
    [
      'an expired assertion',
      async () => assertion({ iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 }),
      'assertion expired',
    ],
    ['another key id', async () => assertion({ kid: randomUUID() }), 'kid is not the key of this client'],
    ['another key', async () => assertion({}, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey), 'bad signature'],
  ])('refuses an assertion with %s (400 invalid_client)', async (_name, make, reason) => {
    if (reason === 'jti reused') expect((await token(await make())).status).toBe(200);
    const r = await token(await make());
    expect(r).toEqual({ status: 400, body: { error: 'invalid_client' }, reason });
  });

  it('refuses the other product scope with invalid_scope', async () => {
    const r = await token(await assertion(), { scope: 'school.api' });
    expect(r).toEqual({ status: 400, body: { error: 'invalid_scope' }, reason: 'scope must be business.api' });
  });
});

describe('Apple Business simulator: API', () => {
  it('pages org devices with cursors (default 100, at most 1000) and answers 404 for an unknown serial', async () => {
    for (let i = 0; i < 150; i++) sim.seed.device({ serialNumber: `PG${String(i).padStart(8, '0')}` });
    const t = await token(await assertion());
    const auth = { authorization: `Bearer ${String(t.body['access_token'])}` };
    const first = (await (await fetch(`${sim.url}/v1/orgDevices`, { headers: auth })).json()) as {
      data: unknown[];
      links: { next?: string };
      meta: { paging: { limit: number; nextCursor?: string } };
    };
    expect(first.data).toHaveLength(100);
    expect(first.meta.paging.limit).toBe(100);
    expect(first.links.next).toContain(`cursor=${first.meta.paging.nextCursor}`);
    const second = (await (await fetch(first.links.next as string, { headers: auth })).json()) as { data: unknown[]; links: { next?: string } };
    expect(second.data).toHaveLength(50);
    expect(second.links.next).toBeUndefined();
    expect((await fetch(`${sim.url}/v1/orgDevices?limit=1001`, { headers: auth })).status).toBe(400);
    const missing = await fetch(`${sim.url}/v1/orgDevices/NOPE12345678`, { headers: auth });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      errors: [{ status: '404', code: 'NOT_FOUND', detail: "There is no resource of type 'orgDevices' with id 'NOPE12345678'" }],
    });
  });

  it('answers 409 for an activity naming an unknown service or serial, and 429 with Retry-After over the rate limit', async () => {
    const limited = await startBusinessSimulator({ rateLimitPerMinute: 2 });
    try {
      const acct = limited.addAccount();
      const server = limited.seed.mdmServer({ serverName: 'MDM' });
      limited.seed.device({ serialNumber: 'SERIAL00001' });
      const form = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: acct.clientId,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await signClientAssertion({ clientId: acct.clientId, keyId: acct.keyId, key: createPrivateKey(acct.privateKeyPem) }),
        scope: 'business.api',
      });
      const t = (await (await fetch(limited.tokenUrl, { method: 'POST', body: form })).json()) as { access_token: string };
      const post = (serverId: string, serial: string): Promise<Response> =>
        fetch(`${limited.url}/v1/orgDeviceActivities`, {
          method: 'POST',
          headers: { authorization: `Bearer ${t.access_token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            data: {
              type: 'orgDeviceActivities',
              attributes: { activityType: 'ASSIGN_DEVICES' },
              relationships: { mdmServer: { data: { type: 'mdmServers', id: serverId } }, devices: { data: [{ type: 'orgDevices', id: serial }] } },
            },
          }),
        });
      expect((await post('NOSUCHSERVER', 'SERIAL00001')).status).toBe(409);
      expect((await post(server.id, 'SERIAL99999')).status).toBe(409);
      const third = await post(server.id, 'SERIAL00001');
      expect(third.status).toBe(429);
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(limited.state().activities).toHaveLength(0);
    } finally {
      await limited.close();
    }
  });
});

describe('Apple Business simulator: activity types and device fields (docs/apple-facts.md §3.2)', () => {
  let api: (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON under test
  let server: string;
  const serial = 'ACT0000001';

  beforeAll(async () => {
    const t = await token(await assertion());
    const auth = `Bearer ${String(t.body['access_token'])}`;
    api = async (method, path, body) => {
      const res = await fetch(`${sim.url}${path}`, {
        method,
        headers: { authorization: auth, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    };
    server = sim.seed.mdmServer({ serverName: 'Activities MDM' }).id;
    sim.seed.device({ serialNumber: serial, partNumber: 'MTUX3LL/A', orderNumber: 'W555', imei: ['356789012345678'], eid: '8904' });
  });

  const activity = (activityType: string, o: { server?: string; deadline?: string } = {}) => ({
    data: {
      type: 'orgDeviceActivities',
      attributes: { activityType, ...(o.deadline ? { activityTypeMetadata: { mdmMigrationDeadlineDateTime: o.deadline } } : {}) },
      relationships: {
        ...(o.server ? { mdmServer: { data: { type: 'mdmServers', id: o.server } } } : {}),
        devices: { data: [{ type: 'orgDevices', id: serial }] },
      },
    },
  });

  /** Creates the activity and polls it to the end; returns the device afterwards. */
  async function run(body: unknown): Promise<Record<string, unknown>> {
    const created = await api('POST', '/v1/orgDeviceActivities', body);
    expect(created.status).toBe(201);
    expect(created.body.data.attributes).toMatchObject({ status: 'IN_PROGRESS', subStatus: 'SUBMITTED' });
    let a = created.body.data;
    for (let i = 0; i < 5 && a.attributes.status === 'IN_PROGRESS'; i++) a = (await api('GET', `/v1/orgDeviceActivities/${String(a.id)}`)).body.data;
    expect(a.attributes).toMatchObject({ status: 'COMPLETED', subStatus: 'COMPLETED_WITH_SUCCESS' });
    return (await api('GET', `/v1/orgDevices/${serial}`)).body.data.attributes;
  }

  it("lists the device fields of Apple's example: order and part numbers, identifiers, purchase source, migration state", async () => {
    const d = (await api('GET', `/v1/orgDevices/${serial}`)).body.data.attributes;
    expect(Object.keys(d).sort()).toEqual(
      [
        'serialNumber',
        'addedToOrgDateTime',
        'releasedFromOrgDateTime',
        'updatedDateTime',
        'deviceModel',
        'productFamily',
        'productType',
        'deviceCapacity',
        'partNumber',
        'orderNumber',
        'color',
        'status',
        'orderDateTime',
        'imei',
        'meid',
        'eid',
        'purchaseSourceId',
        'purchaseSourceType',
        'wifiMacAddress',
        'bluetoothMacAddress',
        'ethernetMacAddress',
        'isMdmMigrationCapable',
        'mdmMigrationStatus',
        'mdmMigrationDeadlineDateTime',
      ].sort(),
    );
    expect(d).toMatchObject({ partNumber: 'MTUX3LL/A', orderNumber: 'W555', imei: ['356789012345678'], meid: [], eid: '8904', releasedFromOrgDateTime: null });
  });

  it('runs all six activity types with their effects on the device', async () => {
    const soon = new Date(Date.now() + 10 * 86_400_000).toISOString();
    const later = new Date(Date.now() + 20 * 86_400_000).toISOString();
    expect(await run(activity('ASSIGN_DEVICES', { server }))).toMatchObject({ status: 'ASSIGNED' });
    expect(await run(activity('UNASSIGN_DEVICES', { server }))).toMatchObject({ status: 'UNASSIGNED' });
    expect(await run(activity('ASSIGN_DEVICES_WITH_MDM_MIGRATION_DEADLINE', { server, deadline: soon }))).toMatchObject({
      status: 'ASSIGNED',
      mdmMigrationStatus: 'REQUESTED',
      mdmMigrationDeadlineDateTime: soon,
    });
    expect(await run(activity('UPDATE_MDM_MIGRATION_DEADLINE', { deadline: later }))).toMatchObject({ mdmMigrationDeadlineDateTime: later });
    expect(await run(activity('CANCEL_MDM_MIGRATION'))).toMatchObject({ mdmMigrationStatus: null, mdmMigrationDeadlineDateTime: null });
    const released = await run(activity('RELEASE_DEVICES'));
    expect(released).toMatchObject({ status: 'UNASSIGNED' });
    expect(typeof released['releasedFromOrgDateTime']).toBe('string');
    expect(
      sim
        .state()
        .activities.filter((a) => a.serials.includes(serial))
        .map((a) => [a.activityType, a.mdmServerId]),
    ).toEqual([
      ['ASSIGN_DEVICES', server],
      ['UNASSIGN_DEVICES', server],
      ['ASSIGN_DEVICES_WITH_MDM_MIGRATION_DEADLINE', server],
      ['UPDATE_MDM_MIGRATION_DEADLINE', null],
      ['CANCEL_MDM_MIGRATION', null],
      ['RELEASE_DEVICES', null],
    ]);
  });

  it('refuses a deadline activity without a deadline (422) or with one over 90 days ahead or past (409), and an unknown type (422)', async () => {
    const far = new Date(Date.now() + 91 * 86_400_000).toISOString();
    const past = new Date(Date.now() - 86_400_000).toISOString();
    expect((await api('POST', '/v1/orgDeviceActivities', activity('ASSIGN_DEVICES_WITH_MDM_MIGRATION_DEADLINE', { server }))).status).toBe(422);
    expect((await api('POST', '/v1/orgDeviceActivities', activity('ASSIGN_DEVICES_WITH_MDM_MIGRATION_DEADLINE', { server, deadline: far }))).status).toBe(409);
    expect((await api('POST', '/v1/orgDeviceActivities', activity('UPDATE_MDM_MIGRATION_DEADLINE', { deadline: past }))).status).toBe(409);
    expect((await api('POST', '/v1/orgDeviceActivities', activity('ASSIGN_DEVICES'))).status).toBe(422);
    expect((await api('POST', '/v1/orgDeviceActivities', activity('WIPE_DEVICES', { server }))).status).toBe(422);
  });
});
