// The bundles this repository ships, one per entry point: every src/entrypoints/*.ts (the actions, their
// post steps and the CLI), plus the simulator as a library and as a command line. The release build
// (scripts/build.mjs, ncc into dist/) and the test build (scripts/build-test.mjs, esbuild into .build/)
// both read this list, so a new action is picked up by both.
import { readdirSync } from 'node:fs';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '../..');

/** @returns {Record<string, string>} bundle name -> absolute path of its entry file */
export function entries() {
  const dir = path.join(root, 'src/entrypoints');
  const out = Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .sort()
      .map((f) => [f.slice(0, -3), path.join(dir, f)]),
  );
  out['simulator'] = path.join(root, 'simulator/index.ts');
  out['simulator-cli'] = path.join(root, 'simulator/cli.ts');
  return out;
}
