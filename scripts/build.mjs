// The release build: one self-contained ncc bundle per entry point (scripts/lib/entries.mjs) into
// dist/<entry>/index.js (ESM, minified, with the licences of what it bundles). Output is deterministic, so
// CI can rebuild and require a clean `git status -- dist`. ncc is single-threaded and takes 20-30 s of CPU
// per bundle, so the bundles are built in parallel child processes, one per core.
// Usage: npm run build [-- <entry> ...]
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { entries as listEntries, root } from './lib/entries.mjs';

const entries = listEntries();
const only = process.argv.slice(2);
for (const name of only) if (!(name in entries)) throw new Error(`No entry point named ${name}; known: ${Object.keys(entries).join(', ')}`);

if (only.length === 1) {
  await buildOne(only[0]);
} else {
  const names = only.length > 0 ? only : Object.keys(entries);
  if (only.length === 0) {
    // Remove bundles whose entry point is gone.
    for (const dir of await readdir(path.join(root, 'dist')).catch(() => [])) {
      if (!(dir in entries)) await rm(path.join(root, 'dist', dir), { recursive: true, force: true });
    }
  }
  // Largest first would need a measure; the CLI and provision are the slowest, so they start first.
  const queue = [...names].sort((a, b) => weight(b) - weight(a));
  let failed = false;
  const worker = async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      const code = await new Promise((resolve) => {
        const child = spawn(process.execPath, [import.meta.filename, name], { stdio: 'inherit' });
        child.on('close', resolve);
      });
      if (code !== 0) failed = true;
    }
  };
  await Promise.all(Array.from({ length: Math.min(availableParallelism(), names.length) }, worker));
  if (failed) process.exit(1);
}

function weight(name) {
  return { cli: 3, provision: 2, 'download-certificate': 2 }[name] ?? 1;
}

async function buildOne(name) {
  const { default: ncc } = await import('@vercel/ncc');
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
