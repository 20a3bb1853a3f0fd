import { generateKeyPairSync } from 'node:crypto';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type ApiKeyCredentials, type Simulator } from '../../simulator/index.js';
import { startConnectProxy } from '../support/connect-proxy.js';
import { assertTrafficValid } from '../support/openapi.js';
import { findLeaks, runStep } from '../support/runner.js';

const NEW_A = '00008110-000A1B2C3D4E5F60';
const NEW_B = '00008120-001122334455AABB';
const DISABLED = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const ENABLED = '564D4F9E-3B2A-5C1D-9E8F-0A1B2C3D4E5F';

let sim: Simulator;
let key: ApiKeyCredentials;

function api(k: ApiKeyCredentials = key): Record<string, string> {
  return { 'key-id': k.keyId, 'issuer-id': k.issuerId ?? '', 'private-key': k.privateKeyPem, 'api-base-url': sim.url, api: k.api };
}
const writes = (): string[] => sim.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);
const countBy = (method: string): number => sim.requests.filter((r) => r.method === method).length;

beforeAll(async () => {
  sim = await startSimulator({ immediateDevices: 1000 });
  key = sim.addKey({ api: 'app-store-connect', kind: 'team' });
  sim.seed.device({ udid: DISABLED, name: 'Old iPad', platform: 'IOS', status: 'DISABLED' });
  sim.seed.device({ udid: ENABLED, name: 'Build Mac', platform: 'MAC_OS' });
});
afterAll(() => sim.close());
afterEach(() => {
  assertTrafficValid(sim.requests);
  sim.faults.clear();
  sim.clearRequests();
});

describe('register-devices (bundled, over HTTP against the simulator)', () => {
  it('registers new devices, re-enables a disabled one and leaves an enabled one, with one listing and one write each', async () => {
    const list = `Device ID\tDevice Name\tDevice Platform\n${NEW_A}\tAna iPhone\tios\n${DISABLED.toUpperCase()}\tOld iPad\tios\n${ENABLED.toLowerCase()}\tBuild Mac\tmac\n`;
    const run = await runStep('register-devices', { ...api(), devices: list });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ registered: '1', enabled: '1', unchanged: '1', failed: '0' });
    const devices = JSON.parse(run.outputs['devices'] ?? '[]') as { udid: string; result: string; status: string }[];
    expect(devices.map((d) => [d.udid.toLowerCase(), d.result, d.status])).toEqual([
      [NEW_A.toLowerCase(), 'registered', 'ENABLED'],
      [DISABLED, 'enabled', 'ENABLED'],
      [ENABLED.toLowerCase(), 'unchanged', 'ENABLED'],
    ]);
    expect(countBy('GET')).toBe(1);
    expect(writes().sort()).toEqual(['PATCH /v1/devices/' + sim.state().devices.find((d) => d.udid.toLowerCase() === DISABLED)?.id, 'POST /v1/devices'].sort());
    expect(run.summary).toContain('<table>');
    expect(run.summary).toContain('Ana iPhone');
  });

  it('makes no second change when run again with the same list', async () => {
    const run = await runStep('register-devices', { ...api(), devices: `${NEW_A},Ana iPhone\n${DISABLED},Old iPad\n` });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ registered: '0', enabled: '0', unchanged: '2', failed: '0' });
    expect(writes()).toEqual([]);
  });

  it('reports a bad line with its number, registers the good ones, and fails the step at the end', async () => {
    const run = await runStep('register-devices', { ...api(), devices: `${NEW_B},Ben iPhone\nnot-a-udid,Broken\n` });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ registered: '1', failed: '1' });
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/^1 of 2 devices failed \(line 2: 'not-a-udid' is not a UDID .*\); fix those lines and run again/);
    expect(sim.state().devices.some((d) => d.udid === NEW_B)).toBe(true);
  });

  it('changes nothing on a dry run and says what it would do', async () => {
    const before = JSON.stringify(sim.state().devices);
    const run = await runStep('register-devices', { ...api(), devices: `00008130-00AABBCCDDEEFF00,New One\n`, 'dry-run': 'true' });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ registered: '0', 'would-register': '1' });
    expect(JSON.parse(run.outputs['devices'] ?? '[]')[0].result).toBe('would-register');
    expect(writes()).toEqual([]);
    expect(JSON.stringify(sim.state().devices)).toBe(before);
    expect(run.summary).toContain('dry run');
  });

  it('says a dry run with a bad line changed nothing, rather than that the others are done', async () => {
    const run = await runStep('register-devices', { ...api(), devices: `00008130-00AABBCCDDEEFF01,New Two\nnot-a-udid,Bad`, 'dry-run': 'true' });
    expect(run.exitCode).toBe(1);
    expect(run.errors[0]).toMatch(/fix those lines and run again \(this was a dry run: nothing was changed\)\.$/);
    expect(run.errors[0]).not.toContain('the others are done');
    expect(writes()).toEqual([]);
  });

  it('reads JSON and CSV device files', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'devices-'));
    await writeFile(path.join(dir, 'd.json'), JSON.stringify([{ udid: '00008130-0000000000000A01', name: 'Json Phone', platform: 'IOS' }]));
    await writeFile(path.join(dir, 'd.csv'), 'udid,name,platform\n00008130-0000000000000C01,"Csv, Phone",ios\n');
    const json = await runStep('register-devices', { ...api(), 'devices-file': path.join(dir, 'd.json') });
    const csv = await runStep('register-devices', { ...api(), 'devices-file': path.join(dir, 'd.csv') });
    expect([json.outputs['registered'], csv.outputs['registered']]).toEqual(['1', '1']);
    expect(sim.state().devices.find((d) => d.udid === '00008130-0000000000000C01')?.name).toBe('Csv, Phone');
  });

  it('warns and succeeds with zero counts, asking Apple nothing, when the devices file lists no devices', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'devices-'));
    await writeFile(path.join(dir, 'empty.json'), '');
    await writeFile(path.join(dir, 'empty.txt'), '# devices for the beta, none yet\n\n');
    await writeFile(path.join(dir, 'header.csv'), 'udid,name,platform\n');
    for (const file of ['empty.json', 'empty.txt', 'header.csv']) {
      const run = await runStep('register-devices', { ...api(), 'devices-file': path.join(dir, file) });
      expect(run.exitCode, `${file}: ${run.stdout}`).toBe(0);
      expect(run.outputs).toMatchObject({ registered: '0', enabled: '0', unchanged: '0', failed: '0', devices: '[]' });
      expect(run.errors).toEqual([]);
      expect(run.warnings).toEqual([
        'devices-file lists no devices (only blank lines, comments or a header), so there is nothing to register; Apple was not asked.',
      ]);
    }
    expect(sim.requests).toHaveLength(0);
  });

  it('reads a UTF-16 CSV whose header puts the columns in another order and whose names hold quoted commas', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'devices-'));
    const csv = 'Device Name,Device Platform,Device ID\r\n"iPad Pro (11-inch), Wi-Fi",ipados,00008130-00000000CAFE0001\r\n';
    await writeFile(path.join(dir, 'd.csv'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv, 'utf16le')]));
    const run = await runStep('register-devices', { ...api(), 'devices-file': path.join(dir, 'd.csv') });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ registered: '1', failed: '0' });
    expect(sim.state().devices.find((d) => d.udid === '00008130-00000000CAFE0001')).toMatchObject({ name: 'iPad Pro (11-inch), Wi-Fi', platform: 'IOS' });
  });

  it('refuses an overlong line with one sentence naming it, before any request', async () => {
    const run = await runStep('register-devices', { ...api(), devices: `${NEW_A},Ana\n${'udid' + ' '.repeat(5000) + 'x'}` });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual(['Input devices has a line of 5005 characters on line 2, longer than the 4096 a list line may have; give one entry a line.']);
    expect(sim.requests).toHaveLength(0);
  });

  it('leaves disabled devices disabled when enable-disabled is false', async () => {
    const id = sim.seed.device({ udid: 'b1b2c3d4e5f60718293a4b5c6d7e8f9012345678', name: 'Parked', status: 'DISABLED' }).id;
    const run = await runStep('register-devices', { ...api(), devices: 'b1b2c3d4e5f60718293a4b5c6d7e8f9012345678,Parked', 'enable-disabled': 'false' });
    expect(run.outputs).toMatchObject({ enabled: '0', unchanged: '1' });
    expect(sim.state().devices.find((d) => d.id === id)?.status).toBe('DISABLED');
  });

  it('refuses an unknown input value with one sentence before any request', async () => {
    const run = await runStep('register-devices', { ...api(), devices: `${NEW_A},x`, platform: 'WINDOWS' });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual(["Input platform is 'WINDOWS', but it takes one of IOS, MAC_OS."]);
    expect(sim.requests).toHaveLength(0);
  });
});

describe('register-devices: PROCESSING devices', () => {
  it('says that newly registered PROCESSING devices cannot go into profiles yet', async () => {
    const slow = await startSimulator({ immediateDevices: 0 });
    try {
      const k = slow.addKey();
      const run = await runStep('register-devices', {
        'key-id': k.keyId,
        'issuer-id': k.issuerId ?? '',
        'private-key': k.privateKeyPem,
        'api-base-url': slow.url,
        devices: `${NEW_A},Ana`,
      });
      expect(run.exitCode).toBe(0);
      expect(JSON.parse(run.outputs['devices'] ?? '[]')[0]).toMatchObject({ result: 'registered', status: 'PROCESSING' });
      expect(run.notices.join('\n')).toMatch(/1 newly registered device\(s\) are PROCESSING \(Ana\): Apple activates them within 24 to 72 hours/);
      assertTrafficValid(slow.requests);
    } finally {
      await slow.close();
    }
  });
});

describe('register-devices: other APIs and keys', () => {
  it('works on the Enterprise Program API', async () => {
    const ent = sim.addKey({ api: 'enterprise', kind: 'team' });
    const run = await runStep('register-devices', { ...api(ent), devices: `${NEW_A},In-house iPhone` });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs['registered']).toBe('1');
    expect(sim.state('enterprise').devices.map((d) => d.udid)).toContain(NEW_A);
  });

  it.each([['app-store-connect'], ['enterprise']] as const)(
    'refuses an individual key (empty issuer-id) on %s before any request, in one sentence asking for a team key',
    async (kind) => {
      const ind = sim.addKey({ api: kind, kind: 'individual' });
      const run = await runStep('register-devices', { ...api(ind), 'issuer-id': '', devices: `00008130-0000000000000D01,Individual` });
      expect(run.exitCode).toBe(1);
      expect(run.errors).toEqual([
        expect.stringMatching(/^Input issuer-id is required: individual API keys cannot use Apple's provisioning endpoints .*use a team key .*Admin role/),
      ]);
      expect(run.errors[0]?.match(/\. /g) ?? []).toEqual([]);
      expect(sim.requests).toEqual([]);
    },
  );
});

describe('register-devices: faults', () => {
  it('waits out a 429 with Retry-After and a 500 on the listing, then succeeds', async () => {
    sim.faults.add({ method: 'GET', path: '/v1/devices', status: 429, retryAfter: 1 });
    sim.faults.add({ method: 'GET', path: '/v1/devices', status: 500 });
    const started = Date.now();
    const run = await runStep('register-devices', { ...api(), devices: `${NEW_A},Ana iPhone` });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(sim.requests.map((r) => r.status)).toEqual([429, 500, 200]);
    // Each wait is one line in the log (not only in debug output), saying what it waits for and how long.
    const waits = run.stdout.split('\n').filter((l) => l.startsWith('Waiting'));
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBe('Waiting 1 s before retrying GET /v1/devices (429; retry 1 of 4).');
    expect(waits[1]).toMatch(/^Waiting \d+ ms before retrying GET \/v1\/devices \(500; retry 2 of 4\)\.$/);
  });

  it('retries a listing whose connection was dropped', async () => {
    sim.faults.add({ method: 'GET', path: '/v1/devices', drop: true });
    const run = await runStep('register-devices', { ...api(), devices: `${NEW_A},Ana iPhone` });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(countBy('GET')).toBe(2);
  });

  it('re-reads after a create whose response was lost instead of registering twice', async () => {
    const udid = '00008130-0000000000000E01';
    sim.faults.add({ method: 'POST', path: '/v1/devices', status: 500, afterCommit: true });
    const run = await runStep('register-devices', { ...api(), devices: `${udid},Lost Answer` });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs['registered']).toBe('1');
    expect(countBy('POST')).toBe(1);
    expect(sim.state().devices.filter((d) => d.udid === udid)).toHaveLength(1);
  });

  it('renews the token once when Apple says it expired mid-run', async () => {
    sim.faults.add({ method: 'POST', path: '/v1/devices', expireTokens: true });
    const run = await runStep('register-devices', { ...api(), devices: `00008130-0000000000000F01,Token Renewed` });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(sim.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['GET 200', 'POST 401', 'POST 201']);
  });

  it('fails with one sentence naming the cause when the key is not accepted', async () => {
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const run = await runStep('register-devices', { ...api(), 'private-key': stranger, devices: `${NEW_A},x` });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(
      /^Apple refused GET \/v1\/devices: 401 NOT_AUTHORIZED .*Check that key-id, issuer-id and private-key belong to the same team API key/,
    );
    expect(sim.requests.map((r) => r.status)).toEqual([401, 401]);
  });
});

describe('register-devices: hostile links and URLs', () => {
  it.each([
    ['an absolute link whose path starts with //', (other: string) => `${sim.url}//${other}/v1/devices?limit=200`],
    ['a protocol-relative link', (other: string) => `//${other}/v1/devices?limit=199`],
  ])('never sends the token to another host named in links.next (%s)', async (_name, link) => {
    const { createServer } = await import('node:http');
    const reached: string[] = [];
    const other = createServer((req, res) => {
      reached.push(`${req.method} ${req.url} ${req.headers.authorization ? 'with a token' : ''}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[],"links":{"self":"x"}}');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const otherHost = `127.0.0.1:${(other.address() as { port: number }).port}`;
      const next = link(otherHost);
      sim.faults.add({ method: 'GET', path: '/v1/devices', status: 200, body: { data: [], links: { self: `${sim.url}/v1/devices`, next } } });
      const run = await runStep('register-devices', { ...api(), devices: `${NEW_A},Ana iPhone` });
      expect(reached).toEqual([]);
      expect(run.exitCode, run.stdout).toBe(0);
      expect(countBy('GET')).toBe(2);
    } finally {
      other.close();
    }
  });

  it('stops at a links.next that points back to the page just fetched, with one sentence', async () => {
    const self = `${sim.url}/v1/devices?limit=200`;
    sim.faults.add({ method: 'GET', path: '/v1/devices', status: 200, times: 50, body: { data: [], links: { self, next: self } } });
    const run = await runStep('register-devices', { ...api(), devices: `${NEW_A},Ana iPhone` });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      "Apple's links.next for /v1/devices points back to a page already fetched (/v1/devices?limit=200), so the listing stopped after 1 page; run the job again, and report it if it persists.",
    ]);
    expect(countBy('GET')).toBe(1);
  });

  it('refuses a plain-http api-base-url on a host other than loopback, naming the input, before any request', async () => {
    const run = await runStep('register-devices', { ...api(), 'api-base-url': 'http://api.appstoreconnect.apple.com', devices: `${NEW_A},x` });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      "Input api-base-url is 'http://api.appstoreconnect.apple.com', but it takes an https URL such as https://api.appstoreconnect.apple.com (plain http only for a loopback host such as 127.0.0.1 or localhost).",
    ]);
    expect(sim.requests).toHaveLength(0);
  });

  it('accepts plain http on localhost', async () => {
    const run = await runStep('register-devices', { ...api(), 'api-base-url': sim.url.replace('127.0.0.1', 'localhost'), devices: `${NEW_A},Ana iPhone` });
    expect(run.exitCode, run.stdout).toBe(0);
  });
});

describe('register-devices: bad keys and secrets', () => {
  it.each([
    ['garbage', 'definitely not a key', /^private-key is not a PEM private key/],
    [
      'an RSA key',
      generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      /is an RSA key, but Apple API keys are P-256/,
    ],
    ['a P-384 key', generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), /curve secp384r1/],
  ])('refuses %s as private-key with one sentence and no request', async (_name, value, message) => {
    const run = await runStep('register-devices', { ...api(), 'private-key': value, devices: `${NEW_A},x` });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(message);
    expect(sim.requests).toHaveLength(0);
  });

  it('never shows the key or any token, or a fragment of them, in its output', async () => {
    sim.faults.add({ method: 'POST', path: '/v1/devices', expireTokens: true });
    const run = await runStep(
      'register-devices',
      { ...api(), devices: `00008130-0000000000001101,Leak Check\nbad,line`, 'dry-run': 'false' },
      { env: { RUNNER_DEBUG: '1' } },
    );
    expect(run.stdout).toContain('::debug::');
    const tokens = sim.tokensSeen();
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    const escaped = Buffer.from(key.privateKeyPem).toString('base64');
    expect(findLeaks(run.stdout + run.stderr + run.summary + JSON.stringify(run.outputs), [key.privateKeyPem, escaped, ...tokens])).toEqual([]);
  });
});

describe('register-devices: proxies', () => {
  it('goes through HTTPS_PROXY (CONNECT) to an HTTPS API, and around it for hosts in NO_PROXY', async () => {
    const tls = await startSimulator({ tls: true });
    const proxy = await startConnectProxy();
    const tunnels = proxy.tunnels;
    const dir = await mkdtemp(path.join(tmpdir(), 'ca-'));
    await writeFile(path.join(dir, 'ca.pem'), tls.caCertPem);
    try {
      const k = tls.addKey();
      const inputs = {
        'key-id': k.keyId,
        'issuer-id': k.issuerId ?? '',
        'private-key': k.privateKeyPem,
        'api-base-url': tls.url,
        devices: `${NEW_A},Via Proxy`,
      };
      const env = { NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.pem'), HTTPS_PROXY: proxy.url };
      const proxied = await runStep('register-devices', inputs, { env });
      expect(proxied.exitCode, proxied.stdout).toBe(0);
      expect(tunnels.length).toBeGreaterThanOrEqual(1);
      expect(new Set(tunnels)).toEqual(new Set([new URL(tls.url).host]));
      const before = tunnels.length;
      const direct = await runStep('register-devices', inputs, { env: { ...env, NO_PROXY: '127.0.0.1' } });
      expect(direct.exitCode, direct.stdout).toBe(0);
      expect(tunnels).toHaveLength(before);
      expect(tls.requests.length).toBeGreaterThanOrEqual(3);
    } finally {
      proxy.close();
      await tls.close();
    }
  });
});
