// HTTPS with the simulator's own CA, and the command line (flags, keys and CA on disk, seed file).
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { startFromArgs, USAGE } from '../../simulator/cli-main.js';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { call } from './helpers.js';

const open: Simulator[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

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
    const started = await startFromArgs(['--tls']);
    if ('help' in started) throw new Error('unexpected help');
    open.push(started.sim);
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
    const started = await startFromArgs(['--seed', seedFile, '--dir', dir, '--port', '0']);
    if ('help' in started) throw new Error('unexpected help');
    open.push(started.sim);
    const state = started.sim.state();
    expect(state.profiles.map((p) => [p.name, p.deviceIds.length, p.certificateIds.length])).toEqual([['Dev', 1, 1]]);
    const [cert] = started.info.certificates;
    expect(cert).toMatchObject({ ref: 'dev', api: 'app-store-connect', certificateType: 'DEVELOPMENT' });
    expect(path.dirname(cert?.privateKeyPath ?? '')).toBe(dir);
    const x509 = new X509Certificate(Buffer.from(state.certificates[0]?.certificateContent ?? '', 'base64'));
    expect(x509.subject).toContain('CN=Apple Development: Seeded Team (ABCDE12345)');
  });

  it('refuses a seed profile that names something not seeded, and an invalid port', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sim-cli-'));
    const seedFile = path.join(dir, 'seed.json');
    await writeFile(seedFile, JSON.stringify({ profiles: [{ name: 'x', profileType: 'IOS_APP_STORE', bundleId: 'com.none', certificates: [] }] }));
    await expect(startFromArgs(['--seed', seedFile])).rejects.toThrow(/com\.none/);
    await expect(startFromArgs(['--port', 'http'])).rejects.toThrow(/port/);
    await writeFile(seedFile, JSON.stringify({ devices: [{ name: 'no udid' }] }));
    await expect(startFromArgs(['--seed', seedFile])).rejects.toThrow(/devices\[0\] lacks udid/);
  });
});

describe('generated query rules', () => {
  it('simulator/spec-params.ts matches the OpenAPI subsets in src/generated (node simulator/gen-spec-params.mjs --check)', () => {
    const out = execFileSync(process.execPath, [path.join(import.meta.dirname, '../../simulator/gen-spec-params.mjs'), '--check'], { encoding: 'utf8' });
    expect(out).toContain('up to date');
  });
});
