// Size and start-up cost of every bundle: the main file and all its chunks, and the wall time and peak RSS
// of `node <bundle>` given no inputs (it loads, parses its inputs, fails in one sentence and exits), i.e.
// what each action costs before its first request. The full runs are in profiles.mjs and
// register-devices.mjs. Bundles from dist/ (ASA_BUNDLES=.build for the test build). Median of RUNS runs.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const dir = path.join(root, process.env.ASA_BUNDLES ?? 'dist');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;

async function startOnce(file) {
  const work = await mkdtemp(path.join(tmpdir(), 'bench-bundle-'));
  const rssFile = path.join(work, 'maxrss');
  const started = performance.now();
  const child = spawn(process.execPath, ['--require', path.join(root, 'bench/maxrss.cjs'), file, '--help'], {
    env: { PATH: process.env.PATH, HOME: work, RUNNER_TEMP: work, BENCH_MAXRSS_FILE: rssFile },
    stdio: 'ignore',
  });
  await new Promise((resolve) => child.on('close', resolve));
  const wallMs = performance.now() - started;
  const rssMb = JSON.parse(await readFile(rssFile, 'utf8')).maxRss / 1024;
  await rm(work, { recursive: true, force: true });
  return { wallMs, rssMb };
}

console.log(`bundles in ${path.relative(root, dir)}/ on node ${process.version} (main file, all files; start-up: wall time and peak RSS, median of ${RUNS})`);
for (const name of (await readdir(dir)).sort()) {
  if (name.startsWith('simulator')) continue;
  const files = (await readdir(path.join(dir, name))).filter((f) => f.endsWith('.js'));
  const sizes = await Promise.all(files.map(async (f) => (await stat(path.join(dir, name, f))).size));
  const main = (await stat(path.join(dir, name, 'index.js'))).size;
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await startOnce(path.join(dir, name, 'index.js')));
  console.log(
    `  ${name.padEnd(26)} ${kib(main).padStart(9)} ${kib(sizes.reduce((a, b) => a + b, 0)).padStart(9)}   start-up ${median(runs.map((r) => r.wallMs))
      .toFixed(0)
      .padStart(4)} ms ${median(runs.map((r) => r.rssMb))
      .toFixed(1)
      .padStart(6)} MB`,
  );
}
