/**
 * vitest global setup: before any test runs, bundle every entry point from the current sources into
 * .build/ (scripts/build-test.mjs, esbuild, about a second), so the tests that run an action as a real
 * process see every change in src/ without a manual build. With ASA_BUNDLES=dist the committed release
 * bundles are tested instead and nothing is built.
 */
export default async function setup(): Promise<void> {
  if (process.env['ASA_BUNDLES'] === 'dist') return;
  // @ts-expect-error: a plain .mjs build script without type declarations.
  const { buildForTests } = (await import('../../scripts/build-test.mjs')) as { buildForTests: () => Promise<string> };
  await buildForTests();
}
