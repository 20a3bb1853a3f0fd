#!/usr/bin/env node
import { packageRoot, runCli } from '../cli/main.js';

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(`${t}\n`),
  stderr: (t) => process.stderr.write(`${t}\n`),
  env: process.env,
  root: packageRoot(import.meta.dirname),
  stdoutIsTerminal: process.stdout.isTTY === true,
});
