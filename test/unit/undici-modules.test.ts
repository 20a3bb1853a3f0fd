// undici is loaded module by module, not through its index (src/core/transport.ts), and
// @actions/http-client gets its ProxyAgent the same way (vendor/undici-proxy-agent). These tests show that
// proxies still work on both paths and that no bundle carries undici's index any more.
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { startConnectProxy, type ConnectProxy } from '../support/connect-proxy.js';
import { bundlePath, runNode } from '../support/runner.js';

let sim: Simulator;
let proxy: ConnectProxy;
let caFile: string;

beforeAll(async () => {
  sim = await startSimulator({ tls: true, appleHostnames: true });
  proxy = await startConnectProxy({ allToLoopback: true });
  caFile = path.join(await mkdtemp(path.join(tmpdir(), 'ca-')), 'ca.pem');
  await writeFile(caFile, sim.caCertPem);
});
afterAll(async () => {
  proxy.close();
  await sim.close();
});

/** Runs an ES module in a fresh node process (so nothing this test process loaded is shared). */
async function runModule(source: string, env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const r = await runNode(['--input-type=module', '-e', source], { env: { PATH: process.env['PATH'] ?? '', NODE_EXTRA_CA_CERTS: caFile, ...env } });
  return { code: r.code, out: r.stdout + r.stderr };
}

describe('@actions/http-client through HTTPS_PROXY', () => {
  it('tunnels through the proxy with a ProxyAgent taken from its own module, without loading undici’s index', async () => {
    const before = proxy.tunnels.length;
    // Apple's host name, because @actions/http-client never sends a loopback address to a proxy.
    const target = new URL(sim.url);
    target.hostname = 'api.appstoreconnect.apple.com';
    target.pathname = '/v1/devices';
    const source = `
      import { createRequire } from 'node:module';
      import { HttpClient } from '@actions/http-client';
      const target = ${JSON.stringify(target.href)};
      const dispatcher = new HttpClient('test').getAgentDispatcher(target);
      const url = new URL(target);
      const res = await dispatcher.request({ origin: url.origin, path: url.pathname, method: 'GET' });
      await res.body.text();
      const loaded = Object.keys(createRequire(import.meta.url).cache).map((f) => f.split('node_modules/').pop());
      console.log(JSON.stringify({ status: res.statusCode, agent: dispatcher.constructor.name, index: loaded.includes('undici/index.js') }));
      await dispatcher.close();
    `;
    const run = await runModule(source, { HTTPS_PROXY: proxy.url });
    expect(run.code, run.out).toBe(0);
    // 401: the simulator answered the request (it carried no token), through the tunnel.
    expect(JSON.parse(run.out)).toEqual({ status: 401, agent: 'ProxyAgent', index: false });
    expect(proxy.tunnels.slice(before)).toEqual([target.host]);
  });
});

describe('bundles', () => {
  it('no bundle carries undici’s index (its fetch is the sign: nothing of ours uses it)', async () => {
    const dir = path.dirname(path.dirname(bundlePath('cli')));
    const names = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(names.length).toBeGreaterThanOrEqual(11);
    const withFetch: string[] = [];
    for (const name of names) {
      for (const file of await readdir(path.join(dir, name))) {
        if (file.endsWith('.js') && (await readFile(path.join(dir, name, file), 'utf8')).includes('fetch failed')) withFetch.push(`${name}/${file}`);
      }
    }
    expect(withFetch).toEqual([]);
  });
});
