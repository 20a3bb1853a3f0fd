// Command line entry: `node dist/simulator-cli/index.js [--port n] [--tls] [--seed file.json]`.
// Prints one JSON line describing the running simulator and serves until SIGINT/SIGTERM.
import { startFromArgs } from './cli-main.js';

async function main(): Promise<void> {
  const started = await startFromArgs(process.argv.slice(2));
  if ('help' in started) {
    process.stdout.write(`${started.help}\n`);
    return;
  }
  const { sim, business, info } = started;
  process.stdout.write(`${JSON.stringify(info)}\n`);
  const stop = (): void => {
    Promise.all([sim.close(), business.close()]).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`simulator: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
