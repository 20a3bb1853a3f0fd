// Builds one self-contained ncc bundle per entry point: dist/<entry>/index.js (ESM, minified, with
// the licences of what it bundles). src/entrypoints/*.ts are the actions; simulator/ is the simulator.
// Output is deterministic, so CI can rebuild and require a clean `git status -- dist`.
// Usage: npm run build [-- <entry> ...]
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import ncc from '@vercel/ncc';

const root = path.resolve(import.meta.dirname, '..');
const entries = Object.fromEntries(
  (await readdir(path.join(root, 'src/entrypoints'))).filter((f) => f.endsWith('.ts')).map((f) => [f.slice(0, -3), path.join(root, 'src/entrypoints', f)]),
);
// The simulator: a library (startSimulator, for tests, the demo and bench) and its command line.
entries['simulator'] = path.join(root, 'simulator/index.ts');
entries['simulator-cli'] = path.join(root, 'simulator/cli.ts');

const only = process.argv.slice(2);
const names = Object.keys(entries)
  .filter((n) => only.length === 0 || only.includes(n))
  .sort();
if (only.length === 0) {
  // Remove bundles whose entry point is gone.
  for (const dir of await readdir(path.join(root, 'dist')).catch(() => [])) {
    if (!(dir in entries)) await rm(path.join(root, 'dist', dir), { recursive: true, force: true });
  }
}
for (const name of names) {
  const started = Date.now();
  const out = path.join(root, 'dist', name);
  const { code, assets } = await ncc(entries[name], { minify: true, license: 'licenses.txt', quiet: true, target: 'es2022' });
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await writeFile(path.join(out, 'index.js'), code);
  for (const [file, asset] of Object.entries(assets)) {
    await mkdir(path.dirname(path.join(out, file)), { recursive: true });
    await writeFile(path.join(out, file), asset.source);
  }
  console.log(`dist/${name}/index.js  ${(Buffer.byteLength(code) / 1024).toFixed(0)} KiB  ${Date.now() - started} ms`);
}
