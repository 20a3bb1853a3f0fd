// Benchmark of ensure-profile (issue: "ensure-profile and rotate-profile"): the bundled action run as
// GitHub would, against the bundled simulator in this process, on the cold path (no profile yet: list,
// resolve, create, install) and the warm path (a valid profile: list and install only). Prints requests
// by method, wall time (process start to exit) and peak RSS of the action's process, median of RUNS runs.
// Peer for comparison (issue text): Apple-Actions/download-provisioning-profiles, 2.5 s and 445 MB for its
// warm download alone on this machine class; the aim is a quarter of that or less (625 ms, 111 MB).
// Account: 60 enabled iOS devices (+ 5 PROCESSING), 2 development and 2 distribution certificates,
// and 40 unrelated profiles, so listings are not trivially empty.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSimulator } from '../dist/simulator/index.js';

const root = path.resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const hex = (n, width) => n.toString(16).toUpperCase().padStart(width, '0');

const sim = await startSimulator({ immediateDevices: 100_000, rateLimitPerHour: 100_000 });
console.log(`ensure-profile from ${process.env.ASA_BUNDLES ?? 'dist'}/ on node ${process.version}, ${RUNS} runs each`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function runAction(action, inputs) {
  const work = await mkdtemp(path.join(tmpdir(), 'bench-profiles-'));
  const output = path.join(work, 'output');
  const rssFile = path.join(work, 'maxrss');
  await writeFile(output, '');
  const env = { PATH: process.env.PATH, HOME: work, RUNNER_TEMP: work, GITHUB_OUTPUT: output, BENCH_MAXRSS_FILE: rssFile };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  sim.clearRequests();
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ['--require', path.join(root, 'bench/maxrss.cjs'), path.join(root, process.env.ASA_BUNDLES ?? 'dist', action, 'index.js')],
    {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  const code = await new Promise((resolve) => child.on('close', resolve));
  const wallMs = performance.now() - started;
  if (code !== 0) throw new Error(`${action} failed:\n${stdout}`);
  const byMethod = {};
  for (const r of sim.requests) byMethod[r.method] = (byMethod[r.method] ?? 0) + 1;
  const rss = JSON.parse(await readFile(rssFile, 'utf8'));
  const rssMb = rss.maxRss / 1024;
  const outputs = await readFile(output, 'utf8');
  await rm(work, { recursive: true, force: true });
  return {
    wallMs,
    rssMb,
    anonMb: rss.anon === null ? null : rss.anon / 1024,
    fileMb: rss.file === null ? null : rss.file / 1024,
    byMethod,
    total: sim.requests.length,
    decision: /^decision<<(.+)\n([^\n]*)/m.exec(outputs)?.[2],
  };
}

function report(label, runs, expected) {
  const { byMethod, total, decision } = runs[0];
  const methods = Object.entries(byMethod)
    .map(([m, n]) => `${n} ${m}`)
    .join(', ');
  console.log(`${label}`);
  console.log(`  decision: ${decision}; requests: ${methods} (total ${total}; expected ${expected})`);
  console.log(
    `  wall time: median ${median(runs.map((r) => r.wallMs)).toFixed(0)} ms (min ${Math.min(...runs.map((r) => r.wallMs)).toFixed(0)}, max ${Math.max(...runs.map((r) => r.wallMs)).toFixed(0)}) over ${runs.length} runs`,
  );
  console.log(`  peak RSS: median ${median(runs.map((r) => r.rssMb)).toFixed(1)} MB (max ${Math.max(...runs.map((r) => r.rssMb)).toFixed(1)})`);
  if (runs[0].anonMb !== null) {
    console.log(
      `  resident at exit: ${median(runs.map((r) => r.anonMb)).toFixed(1)} MB the process's own memory + ${median(runs.map((r) => r.fileMb)).toFixed(1)} MB file-backed (node's own code and libraries, shared) (medians)`,
    );
  }
}

let failed = false;
try {
  const key = sim.addKey();
  const api = {
    'key-id': key.keyId,
    'issuer-id': key.issuerId,
    'private-key': key.privateKeyPem,
    'api-base-url': sim.url,
    api: 'app-store-connect',
    install: 'true',
    'min-days-valid': '30',
    'dry-run': 'false',
  };
  for (let i = 0; i < 60; i++) sim.seed.device({ udid: `00008110-${hex(i, 16)}`, name: `Device ${i}` });
  for (let i = 0; i < 5; i++) sim.seed.device({ udid: `00008120-${hex(i, 16)}`, name: `New ${i}`, status: 'PROCESSING' });
  sim.seed.certificate({ certificateType: 'IOS_DEVELOPMENT' });
  sim.seed.certificate({ certificateType: 'DEVELOPMENT' });
  const distCerts = [sim.seed.certificate({ certificateType: 'DISTRIBUTION' }), sim.seed.certificate({ certificateType: 'DISTRIBUTION' })];
  for (let i = 0; i < 40; i++) {
    const b = sim.seed.bundleId({ identifier: `com.other.app${i}` });
    sim.seed.profile({ name: `Other ${i}`, profileType: 'IOS_APP_STORE', bundleId: b.id, certificateIds: [distCerts[0].id] });
  }
  const cases = [
    ['IOS_APP_DEVELOPMENT', 'device-bound'],
    ['IOS_APP_STORE', 'no devices'],
  ];
  for (const [type, kind] of cases) {
    const cold = [];
    const warm = [];
    for (let n = 0; n < RUNS; n++) {
      const bundle = `com.example.${type.toLowerCase().replace(/_/g, '')}${n}`;
      sim.seed.bundleId({ identifier: bundle });
      const inputs = { ...api, 'bundle-id': bundle, 'profile-type': type };
      cold.push(await runAction('ensure-profile', inputs));
      warm.push(await runAction('ensure-profile', inputs));
    }
    const bound = kind === 'device-bound';
    report(
      `ensure-profile ${type} (${kind}), cold: no profile yet`,
      cold,
      bound ? '4 GET (profiles, devices, bundle IDs, certificates), 1 POST' : '3 GET (profiles, bundle IDs, certificates), 1 POST',
    );
    report(
      `ensure-profile ${type} (${kind}), warm: valid profile kept`,
      warm,
      bound ? '2 GET (profiles with includes, devices)' : '1 GET (profiles with includes)',
    );
    const ok =
      cold.every((r) => r.decision === 'create' && r.total === (bound ? 5 : 4) && r.byMethod.POST === 1) &&
      warm.every((r) => r.decision === 'keep' && r.total === (bound ? 2 : 1) && r.byMethod.GET === r.total);
    if (!ok) {
      console.error('  request counts or decisions differ from the expected ones');
      failed = true;
    }
  }
  console.log(`peer (Apple-Actions/download-provisioning-profiles, warm download, as measured for the issue): 2500 ms, 445 MB; a quarter: 625 ms, 111 MB`);
} finally {
  await sim.close();
}
process.exitCode = failed ? 1 : 0;
