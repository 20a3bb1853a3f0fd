// HTTPS with the simulator's own CA, and the command line (flags, keys and CA on disk, seed file).
import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import forge from 'node-forge';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from 'node:tls';
import { signClientAssertion } from '../../src/business/client-assertion.js';
import { startFromArgs, USAGE, type Started } from '../../simulator/cli-main.js';
import { APPLE_HOSTNAMES, startSimulator } from '../../simulator/index.js';
import { call } from './helpers.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

/** The subjectAltName of the certificate a TLS server presents, as Node prints it ("IP Address:127.0.0.1, DNS:localhost"). */
async function servedSan(url: string, ca: string, servername?: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), ca, ...(servername ? { servername } : {}) }, () => {
      const san = socket.getPeerCertificate().subjectaltname ?? '';
      socket.end();
      resolve(san);
    });
    socket.once('error', reject);
  });
}

/** Starts the CLI and registers both simulators for closing. */
async function startCli(argv: string[]): Promise<Started> {
  const started = await startFromArgs(argv);
  if ('help' in started) throw new Error('unexpected help');
  open.push(started.sim, started.business);
  return started;
}

describe('TLS mode', () => {
  it('serves HTTPS with a server certificate for 127.0.0.1 signed by the simulator CA', async () => {
    const sim = await startSimulator({ tls: true });
    open.push(sim);
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const key = sim.addKey();
    const dispatcher = new Agent({ connect: { ca: sim.caCertPem } });
    const r = await call(sim, key, 'GET', '/v1/devices', { dispatcher });
    expect(r.status).toBe(200);
    expect(r.body.links.self).toBe(`${sim.url}/v1/devices`);
    await dispatcher.close();
  });

  it('is refused by a client that does not trust the simulator CA', async () => {
    const sim = await startSimulator({ tls: true });
    open.push(sim);
    await expect(call(sim, sim.addKey(), 'GET', '/v1/devices')).rejects.toThrow(/certificate/i);
  });

  it("names only loopback in the served certificate by default, and Apple's hosts too with appleHostnames", async () => {
    const plain = await startSimulator({ tls: true });
    open.push(plain);
    expect(await servedSan(plain.url, plain.caCertPem)).toBe('IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:localhost');
    const named = await startSimulator({ tls: true, appleHostnames: true });
    open.push(named);
    const san = await servedSan(named.url, named.caCertPem, 'api.appstoreconnect.apple.com');
    expect(san.split(', ').filter((n) => n.startsWith('DNS:'))).toEqual(['DNS:localhost', ...APPLE_HOSTNAMES.map((h) => `DNS:${h}`)]);
    expect(APPLE_HOSTNAMES).toEqual(['api.appstoreconnect.apple.com', 'api.enterprise.developer.apple.com', 'api-business.apple.com', 'account.apple.com']);
  });

  it('makes a CA certificate that is a CA (basicConstraints CA:TRUE)', async () => {
    const sim = await startSimulator();
    open.push(sim);
    const ca = new X509Certificate(sim.caCertPem);
    expect(ca.ca).toBe(true);
    expect(ca.subject).toContain('Simulated Apple Worldwide Developer Relations Certification Authority');
  });
});

describe('command line', () => {
  it('prints help', async () => {
    expect(await startFromArgs(['--help'])).toEqual({ help: USAGE });
  });

  it('starts a simulator, registers one team key per API and writes the keys and CA to disk', async () => {
    const started = await startCli(['--tls']);
    const { info } = started;
    expect(info.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await readFile(info.caCertPath, 'utf8')).toBe(started.sim.caCertPem);
    expect(info.keys.map((k) => k.api)).toEqual(['app-store-connect', 'enterprise']);
    for (const k of info.keys) {
      expect(k.issuerId).toMatch(/^[0-9a-f-]{36}$/);
      const privateKeyPem = await readFile(k.privateKeyPath, 'utf8');
      expect(privateKeyPem).toContain('BEGIN PRIVATE KEY');
      const dispatcher = new Agent({ connect: { ca: started.sim.caCertPem } });
      const r = await call(started.sim, { api: k.api, keyId: k.keyId, issuerId: k.issuerId ?? '', privateKeyPem, kind: 'team' }, 'GET', '/v1/devices', {
        dispatcher,
      });
      expect(r.status).toBe(200);
      await dispatcher.close();
    }
    expect(JSON.parse(JSON.stringify(info))).toMatchObject({ url: info.url, caCertPath: info.caCertPath });
  });

  it('seeds from --seed: devices, bundle IDs, certificates (keys written out) and profiles naming them', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sim-cli-'));
    const seedFile = path.join(dir, 'seed.json');
    await writeFile(
      seedFile,
      JSON.stringify({
        options: { teamId: 'ABCDE12345', teamName: 'Seeded Team' },
        devices: [{ udid: '00008110-000E49383CF8801E', name: 'Ana iPhone' }],
        bundleIds: [{ identifier: 'com.example.app' }],
        certificates: [{ ref: 'dev', certificateType: 'DEVELOPMENT' }],
        profiles: [
          { name: 'Dev', profileType: 'IOS_APP_DEVELOPMENT', bundleId: 'com.example.app', certificates: ['dev'], devices: ['00008110-000e49383cf8801e'] },
        ],
      }),
    );
    const started = await startCli(['--seed', seedFile, '--dir', dir, '--port', '0']);
    const state = started.sim.state();
    expect(state.profiles.map((p) => [p.name, p.deviceIds.length, p.certificateIds.length])).toEqual([['Dev', 1, 1]]);
    const [cert] = started.info.certificates;
    expect(cert).toMatchObject({ ref: 'dev', api: 'app-store-connect', certificateType: 'DEVELOPMENT' });
    expect(path.dirname(cert?.privateKeyPath ?? '')).toBe(dir);
    const x509 = new X509Certificate(Buffer.from(state.certificates[0]?.certificateContent ?? '', 'base64'));
    expect(x509.subject).toContain('CN=Apple Development: Seeded Team (ABCDE12345)');
  });

  it('starts the Business API simulator too, with its client ID and key on disk, on the same TLS certificate', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sim-cli-'));
    const seedFile = path.join(dir, 'seed.json');
    await writeFile(
      seedFile,
      JSON.stringify({
        business: {
          mdmServers: [{ serverName: 'Jamf Pro' }],
          devices: [{ serialNumber: 'C02XK1ABJGH5', orderNumber: 'W987654321', assignedServer: 'Jamf Pro' }, { serialNumber: 'DMPXK2ABJGH6' }],
        },
      }),
    );
    const started = await startCli(['--tls', '--apple-hostnames', '--seed', seedFile, '--dir', dir]);
    const { business } = started.info;
    expect(business.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(business.tokenUrl).toBe(`${business.url}/auth/oauth2/token`);
    const [account] = business.accounts;
    expect(account?.clientId).toMatch(/^BUSINESSAPI\./);
    expect(account?.scope).toBe('business.api');
    const privateKeyPem = await readFile(account?.privateKeyPath ?? '', 'utf8');
    const dispatcher = new Agent({ connect: { ca: started.sim.caCertPem } });
    try {
      const assertion = await signClientAssertion({ clientId: account?.clientId ?? '', keyId: account?.keyId ?? '', key: createPrivateKey(privateKeyPem) });
      const form = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: account?.clientId ?? '',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
        scope: 'business.api',
      });
      const t = await request(business.tokenUrl, {
        method: 'POST',
        body: form.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        dispatcher,
      });
      expect(t.statusCode).toBe(200);
      const { access_token } = (await t.body.json()) as { access_token: string };
      const devices = await request(`${business.url}/v1/orgDevices`, { headers: { authorization: `Bearer ${access_token}` }, dispatcher });
      const body = (await devices.body.json()) as { data: { id: string; attributes: { status: string; orderNumber: string } }[] };
      expect(body.data.map((d) => [d.id, d.attributes.status])).toEqual([
        ['C02XK1ABJGH5', 'ASSIGNED'],
        ['DMPXK2ABJGH6', 'UNASSIGNED'],
      ]);
      expect(body.data[0]?.attributes.orderNumber).toBe('W987654321');
    } finally {
      await dispatcher.close();
    }
    expect(await servedSan(business.url, started.sim.caCertPem, 'api-business.apple.com')).toContain('DNS:account.apple.com');
  });

  it('lets --allow-developer-id-certificates create Developer ID certificates (refused without it)', async () => {
    const csr = (() => {
      const keys = forge.pki.rsa.generateKeyPair(1024);
      const req = forge.pki.createCertificationRequest();
      req.publicKey = keys.publicKey;
      req.setSubject([{ name: 'commonName', value: 'ci' }]);
      req.sign(keys.privateKey, forge.md.sha256.create());
      return forge.pki.certificationRequestToPem(req);
    })();
    const body = { data: { type: 'certificates', attributes: { csrContent: csr, certificateType: 'DEVELOPER_ID_APPLICATION' } } };
    for (const [flags, status] of [
      [[], 409],
      [['--allow-developer-id-certificates'], 201],
    ] as const) {
      const started = await startCli([...flags]);
      const k = started.info.keys[0];
      const key = {
        api: 'app-store-connect' as const,
        keyId: k?.keyId ?? '',
        issuerId: k?.issuerId ?? '',
        privateKeyPem: await readFile(k?.privateKeyPath ?? '', 'utf8'),
        kind: 'team' as const,
      };
      expect((await call(started.sim, key, 'POST', '/v1/certificates', { body })).status).toBe(status);
    }
  });

  it('refuses a seed profile that names something not seeded, and an invalid port', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sim-cli-'));
    const seedFile = path.join(dir, 'seed.json');
    await writeFile(seedFile, JSON.stringify({ profiles: [{ name: 'x', profileType: 'IOS_APP_STORE', bundleId: 'com.none', certificates: [] }] }));
    await expect(startFromArgs(['--seed', seedFile])).rejects.toThrow(/com\.none/);
    await expect(startFromArgs(['--port', 'http'])).rejects.toThrow(/port/);
    await writeFile(seedFile, JSON.stringify({ devices: [{ name: 'no udid' }] }));
    await expect(startFromArgs(['--seed', seedFile])).rejects.toThrow(/devices\[0\] lacks udid/);
    await writeFile(seedFile, JSON.stringify({ business: { devices: [{ serialNumber: 'X1', assignedServer: 'Nope' }] } }));
    await expect(startFromArgs(['--seed', seedFile])).rejects.toThrow(/business device 'X1' names server 'Nope'/);
    await expect(startFromArgs(['--business-port', '70000'])).rejects.toThrow(/--business-port/);
  });
});

describe('generated query rules', () => {
  it('simulator/spec-params.ts matches the OpenAPI subsets in src/generated (node simulator/gen-spec-params.mjs --check)', () => {
    const out = execFileSync(process.execPath, [path.join(import.meta.dirname, '../../simulator/gen-spec-params.mjs'), '--check'], { encoding: 'utf8' });
    expect(out).toContain('up to date');
  });
});
