// The test build: the same entry points as the release build (scripts/lib/entries.mjs), bundled from the
// current sources with esbuild into .build/<entry>/ in about a second, so that the tests which run an
// action as the runner does (a real `node .build/<entry>/index.js` process) run what src/ says now, with
// no manual build. dist/ stays the ncc release bundle; `ASA_BUNDLES=dist npm test` runs the same tests
// against it. Run by vitest's global setup (test/support/global-setup.ts); usable alone:
//   node scripts/build-test.mjs [outdir]
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { entries as listEntries, root } from './lib/entries.mjs';

// Bundled CommonJS packages call require(); an ES module has none, so each bundle makes one.
const banner = "import { createRequire as __asaCreateRequire } from 'node:module'; const require = __asaCreateRequire(import.meta.url);";

export async function buildForTests(outdir = path.join(root, '.build')) {
  await rm(outdir, { recursive: true, force: true });
  const entries = listEntries();
  await Promise.all(
    Object.entries(entries).map(([name, file]) =>
      esbuild.build({
        entryPoints: { index: file },
        outdir: path.join(outdir, name),
        bundle: true,
        splitting: true,
        format: 'esm',
        platform: 'node',
        target: 'node20',
        banner: { js: banner },
        logLevel: 'warning',
      }),
    ),
  );
  // A package.json beside each bundle, as ncc writes: it marks the .js files as ES modules.
  await Promise.all(Object.keys(entries).map((name) => writeFile(path.join(outdir, name, 'package.json'), '{"type":"module"}\n')));
  return outdir;
}

if (process.argv[1] === import.meta.filename) {
  const started = Date.now();
  const out = await buildForTests(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  console.log(`${path.relative(root, out) || out}: ${Object.keys(listEntries()).length} bundles in ${Date.now() - started} ms`);
}
