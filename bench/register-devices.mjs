// Benchmark of register-devices (issue: "Core Apple API client ..."): a list of 300 devices against an
// account holding 250, of which 100 are on the list, 20 of those disabled. Runs the bundled action as
// GitHub would, against the bundled simulator (per-year device cap lifted), and prints the requests
// it made by method, the wall time and the bundle size.
// Expected requests: ceil(250/200) = 2 listing pages, 200 POST (new devices), 20 PATCH (re-enable).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSimulator } from '../dist/simulator/index.js';

const root = path.resolve(import.meta.dirname, '..');
const hex = (n, width) => n.toString(16).toUpperCase().padStart(width, '0');
const udid = (n) => `00008110-${hex(n, 16)}`;

const sim = await startSimulator({ deviceYearlyLimit: null, immediateDevices: 100_000, rateLimitPerHour: 100_000 });
try {
  const key = sim.addKey();
  // 250 on the account: 0..99 listed (0..19 disabled), 100..249 not listed.
  for (let i = 0; i < 250; i++) sim.seed.device({ udid: udid(i), name: `Device ${i}`, status: i < 20 ? 'DISABLED' : 'ENABLED' });
  // 300 listed: 0..99 known, 250..449 new.
  const listed = [...Array.from({ length: 100 }, (_, i) => i), ...Array.from({ length: 200 }, (_, i) => 250 + i)];
  const devices = listed.map((i) => `${udid(i)}\tDevice ${i}\tios`).join('\n');

  const work = await mkdtemp(path.join(tmpdir(), 'bench-register-'));
  const output = path.join(work, 'output');
  await writeFile(output, '');
  const env = {
    PATH: process.env.PATH,
    HOME: work,
    RUNNER_TEMP: work,
    GITHUB_OUTPUT: output,
    'INPUT_KEY-ID': key.keyId,
    'INPUT_ISSUER-ID': key.issuerId,
    'INPUT_PRIVATE-KEY': key.privateKeyPem,
    'INPUT_API-BASE-URL': sim.url,
    INPUT_API: 'app-store-connect',
    INPUT_DEVICES: devices,
    INPUT_PLATFORM: 'IOS',
    'INPUT_ENABLE-DISABLED': 'true',
    'INPUT_DRY-RUN': 'false',
  };
  sim.clearRequests();
  const bundle = path.join(root, 'dist/register-devices/index.js');
  const started = performance.now();
  const child = spawn(process.execPath, [bundle], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  const code = await new Promise((resolve) => child.on('close', resolve));
  const wallMs = performance.now() - started;
  if (code !== 0) throw new Error(`register-devices failed:\n${stdout}`);

  const byMethod = {};
  for (const r of sim.requests) byMethod[r.method] = (byMethod[r.method] ?? 0) + 1;
  const outputs = await readFile(output, 'utf8');
  const out = (name) => new RegExp(`^${name}<<(.+)\\n([^\\n]*)`, 'm').exec(outputs)?.[2];
  console.log('register-devices: 300 listed, 250 on the account (100 listed, 20 of them disabled)');
  console.log(
    `  requests: ${Object.entries(byMethod)
      .map(([m, n]) => `${n} ${m}`)
      .join(', ')} (total ${sim.requests.length})`,
  );
  console.log(`  expected: 2 GET, 200 POST, 20 PATCH`);
  console.log(`  outputs:  registered=${out('registered')} enabled=${out('enabled')} unchanged=${out('unchanged')} failed=${out('failed')}`);
  console.log(`  wall time: ${wallMs.toFixed(0)} ms (process start to exit, bundled action on Node ${process.versions.node})`);
  console.log(`  bundle: dist/register-devices/index.js ${((await stat(bundle)).size / 1024).toFixed(0)} KiB`);
  const ok = byMethod.GET === 2 && byMethod.POST === 200 && byMethod.PATCH === 20 && sim.requests.length === 222;
  if (!ok) {
    console.error('  request counts differ from the expected 2 GET, 200 POST, 20 PATCH');
    process.exitCode = 1;
  }
} finally {
  await sim.close();
}
