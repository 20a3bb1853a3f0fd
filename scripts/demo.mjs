// npm run demo: starts the bundled Apple API simulator (HTTPS, its own CA), then runs the bundled
// actions exactly as GitHub would (node dist/<action>/index.js with INPUT_* variables and the runner's
// command files) and prints what each step logged and output.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { startSimulator } from '../dist/simulator/index.js';

const root = path.resolve(import.meta.dirname, '..');
const work = await mkdtemp(path.join(tmpdir(), 'apple-signing-demo-'));
const sim = await startSimulator({ tls: true });
const caFile = path.join(work, 'simulator-ca.pem');
await writeFile(caFile, sim.caCertPem);
const key = sim.addKey({ api: 'app-store-connect', kind: 'team' });

// An account that already has a few devices, one of them disabled.
sim.seed.device({ udid: '00008110-000A1B2C3D4E5F60', name: 'Ana iPhone 15', platform: 'IOS' });
sim.seed.device({ udid: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', name: 'Old QA iPad', platform: 'IOS', status: 'DISABLED' });

const heading = (text) => console.log(`\n\x1b[1m== ${text}\x1b[0m`);

function parseCommandFile(text) {
  const out = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (!m) continue;
    const value = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]);
    out[m[1]] = value.join('\n');
  }
  return out;
}

/** Runs dist/<action>/index.js like the runner: INPUT_* (with action.yml defaults), GITHUB_* files. */
async function runAction(action, inputs) {
  const files = await mkdtemp(path.join(work, `${action}-`));
  const env = {
    PATH: process.env.PATH,
    HOME: path.join(work, 'home'),
    RUNNER_TEMP: files,
    NODE_EXTRA_CA_CERTS: caFile,
    GITHUB_ACTIONS: 'true',
  };
  for (const f of ['OUTPUT', 'STATE', 'STEP_SUMMARY', 'ENV', 'PATH']) {
    env[`GITHUB_${f}`] = path.join(files, f.toLowerCase());
    await writeFile(env[`GITHUB_${f}`], '');
  }
  const file = action === 'provision' ? path.join(root, 'action.yml') : path.join(root, 'actions', action, 'action.yml');
  const yml = parseYaml(await readFile(file, 'utf8'));
  for (const [name, spec] of Object.entries(yml.inputs ?? {})) if (spec.default !== undefined) env[`INPUT_${name.toUpperCase()}`] = String(spec.default);
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  const child = spawn(process.execPath, [path.join(root, 'dist', action, 'index.js')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.on('data', (d) => {
    for (const line of d.toString().split('\n')) {
      if (line && !line.startsWith('::add-mask::') && !line.startsWith('::debug::')) console.log(`  | ${line}`);
    }
  });
  const code = await new Promise((resolve) => child.on('close', resolve));
  const outputs = parseCommandFile(await readFile(env.GITHUB_OUTPUT, 'utf8'));
  console.log(`  exit code ${code}; outputs:`);
  for (const [k, v] of Object.entries(outputs)) console.log(`    ${k} = ${v.length > 160 ? `${v.slice(0, 157)}...` : v}`);
  if (code !== 0) throw new Error(`${action} failed in the demo (exit ${code})`);
  return outputs;
}

const api = { 'key-id': key.keyId, 'issuer-id': key.issuerId, 'private-key': key.privateKeyPem, 'api-base-url': sim.url };
try {
  console.log(`Simulator: ${sim.url} (team key ${key.keyId}); working files in ${work}`);

  heading('register-devices: three listed devices (one new, one disabled, one already there)');
  const list = [
    '# Device ID\tDevice Name\tDevice Platform',
    '00008110-000A1B2C3D4E5F60\tAna iPhone 15\tios',
    'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678\tOld QA iPad\tios',
    '00008120-001122334455AABB\tBen iPhone 16\tios',
  ].join('\n');
  await runAction('register-devices', { ...api, devices: list });

  heading('register-devices again with the same list: nothing to change');
  await runAction('register-devices', { ...api, devices: list });
} finally {
  await sim.close();
}
console.log('\nDemo finished: every step ran the bundled action against the simulator.');
