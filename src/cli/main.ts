/**
 * apple-signing-actions <command> [--<input> <value> ...] [--json] [--help]: the actions outside
 * GitHub. Inputs are parsed by the same code as in the actions; defaults come from each action.yml.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ActionResult, RunContext } from '../actions/support/action-runner.js';
import { summaryTables } from '../actions/support/summary.js';
import type { InputSource } from '../actions/support/inputs.js';
import { describeError, InputError } from '../core/errors.js';
import { logLine, safeLogger, type Logger } from '../core/log.js';
import { envName, parseArgv, UsageError } from './argv.js';
import { COMMANDS, FILE_FLAGS } from './commands.js';
import { readActionIo, type ActionIo } from './metadata.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Package root, holding action.yml and actions/. */
  root: string;
  /** Whether stdout is a terminal: base64 outputs are then left out unless --show-base64 asks for them. */
  stdoutIsTerminal?: boolean;
}

/** The package's version, from its package.json. */
function version(root: string): string {
  return (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * How the user gave (or can give) an input, for error sentences: the flag or environment variable they
 * typed rather than the action input's name.
 */
function inputLabel(input: string, given: ReadonlyMap<string, string>, env: NodeJS.ProcessEnv): string {
  const fileFlag = Object.entries(FILE_FLAGS).find(([flag, f]) => f.input === input && given.has(flag))?.[0];
  if (fileFlag) return `--${fileFlag}`;
  if (given.has(input)) return `--${input}`;
  if (env[envName(input)] !== undefined) return envName(input);
  return `--${input} (or ${envName(input)})`;
}

/** An input error in the command line's words: "Input key-id …" becomes "--key-id …". */
function cliSentence(err: InputError, given: ReadonlyMap<string, string>, env: NodeJS.ProcessEnv): string {
  const label = inputLabel(err.input, given, env);
  const message = err.message.split(`Input ${err.input} `).join(`${label} `);
  return message.startsWith(`${err.input} `) ? `${label}${message.slice(err.input.length)}` : message;
}

/** Outputs as JSON: values that are JSON arrays or objects (devices, profiles, ...) are embedded, not quoted. */
function outputsObject(outputs: ActionResult['outputs']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(outputs)) {
    if (typeof v === 'string' && /^[[{]/.test(v)) {
      try {
        out[k] = JSON.parse(v) as unknown;
        continue;
      } catch {
        // Not JSON after all: keep the text.
      }
    }
    out[k] = v;
  }
  return out;
}

function overallHelp(io: CliIo): string {
  const lines = ['Usage: apple-signing-actions <command> [--<input> <value> ...] [--json]', '', 'Commands:'];
  for (const name of Object.keys(COMMANDS)) lines.push(`  ${name.padEnd(22)}${readActionIo(io.root, name).description}`);
  lines.push(
    '',
    'Inputs are the action inputs, as flags: --key-id ABC123DEFG. Any input can also come from the',
    'environment as APPLE_SIGNING_<INPUT> (APPLE_SIGNING_PRIVATE_KEY for private-key), and the keys from',
    'files: --private-key-file AuthKey.p8, --signing-key-file key.pem, --p12-file identity.p12.',
    '--json prints the outputs as one JSON object on stdout (and {"error", "exitCode"} on failure). `apple-signing-actions <command> --help` lists a command\'s inputs.',
    'On a terminal, base64 outputs (profile-base64, p12-base64) are left out unless --show-base64 is given. --version prints the version.',
    'There is no post step outside Actions: download-certificate and provision leave their keychain and',
    'files for you to remove (security delete-keychain <keychain-path>; rm -r the folder of p12-path).',
  );
  return lines.join('\n');
}

function commandHelp(name: string, meta: ActionIo): string {
  const lines = [`Usage: apple-signing-actions ${name} [--<input> <value> ...] [--json]`, '', meta.description, '', 'Inputs:'];
  for (const i of meta.inputs) {
    const tag = i.required ? ' (required)' : i.default !== undefined ? ` (default: ${i.default})` : '';
    lines.push(`  --${i.name}${tag}`, `      ${i.description}`);
  }
  const files = Object.entries(FILE_FLAGS).filter(([, f]) => meta.inputs.some((i) => i.name === f.input));
  for (const [flag, f] of files) lines.push(`  --${flag} <path>`, `      read ${f.input} from a file${f.binary ? ' (binary, sent as base64)' : ''}`);
  lines.push('', 'Outputs (name=value lines, or one JSON object with --json):');
  for (const o of meta.outputs) lines.push(`  ${o.name.padEnd(20)}${o.description}`);
  return lines.join('\n');
}

/** Lines go through safeLogger: in a GitHub `run:` step, this output is read for workflow commands too. */
function cliLogger(io: CliIo, debug: boolean): Logger {
  return safeLogger({
    info: (m) => io.stderr(m),
    debug: (m) => {
      if (debug) io.stderr(`debug: ${m}`);
    },
    warning: (m, title) => io.stderr(`warning: ${title ? `${title}: ` : ''}${m}`),
    notice: (m, title) => io.stderr(`note: ${title ? `${title}: ` : ''}${m}`),
    group: async (name, fn) => {
      io.stderr(`== ${name}`);
      return fn();
    },
  });
}

function printSummary(io: CliIo, result: ActionResult): void {
  for (const table of summaryTables(result)) {
    const s = { heading: logLine(table.heading), rows: table.rows.map((r) => r.map(logLine)), notes: (table.notes ?? []).map(logLine) };
    io.stderr(`\n${s.heading}`);
    const widths = (s.rows[0] ?? []).map((_, c) => Math.min(40, Math.max(...s.rows.map((r) => (r[c] ?? '').length))));
    for (const row of s.rows)
      io.stderr(
        row
          .map((cell, c) => cell.padEnd(widths[c] ?? 0))
          .join('  ')
          .trimEnd(),
      );
    for (const note of s.notes) io.stderr(note);
  }
}

/** Runs the command line; returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // The options given, once parsed: error sentences name the flag or variable the user typed.
  let given: ReadonlyMap<string, string> = new Map();
  try {
    // The command comes first; its action.yml then says which options are flags.
    const name = argv[0] !== undefined && !argv[0].startsWith('-') ? argv[0] : undefined;
    const help = argv.includes('--help') || argv.includes('-h');
    if (name === undefined && argv.includes('--version')) {
      io.stdout(version(io.root));
      return 0;
    }
    if (name === undefined) {
      (help ? io.stdout : io.stderr)(overallHelp(io));
      return help ? 0 : 2;
    }
    const cmd = COMMANDS[name];
    if (!cmd) throw new UsageError(`Unknown command '${name}'; the commands are ${Object.keys(COMMANDS).join(', ')}.`);
    const meta = readActionIo(io.root, name);
    if (help) {
      io.stdout(commandHelp(name, meta));
      return 0;
    }
    const booleans = new Set(meta.inputs.filter((i) => i.default === 'true' || i.default === 'false').map((i) => i.name));
    const args = parseArgv(argv, booleans);
    const known = new Set([...meta.inputs.map((i) => i.name), ...Object.keys(FILE_FLAGS)]);
    for (const option of args.values.keys()) {
      if (!known.has(option)) throw new UsageError(`Unknown option --${option} for ${name}; see apple-signing-actions ${name} --help.`);
    }
    for (const [flag, f] of Object.entries(FILE_FLAGS)) {
      const file = args.values.get(flag);
      if (file === undefined) continue;
      let data: Buffer;
      try {
        data = readFileSync(file);
      } catch {
        throw new UsageError(`--${flag} is '${file}', but no readable file is there.`);
      }
      args.values.set(f.input, f.binary ? data.toString('base64') : data.toString('utf8'));
    }
    const defaults = new Map(meta.inputs.flatMap((i) => (i.default === undefined ? [] : [[i.name, i.default] as const])));
    const src: InputSource = {
      get: (name) => args.values.get(name) ?? io.env[envName(name)] ?? defaults.get(name) ?? '',
      mask: () => undefined,
    };
    const ctx: RunContext = { log: cliLogger(io, io.env['APPLE_SIGNING_DEBUG'] === '1'), mask: src.mask };
    given = args.values;
    const result = await cmd.run(src, ctx);
    printSummary(io, result);
    const hidden = io.stdoutIsTerminal && !args.showBase64 && !args.json;
    // JSON escapes controls itself; `##[` is a command anywhere in a line, so its bracket is written as \u005b.
    const json = (v: unknown): string => JSON.stringify(v).replace(/##\[/g, '##\\u005b');
    if (args.json) io.stdout(json(outputsObject(result.outputs)));
    else {
      for (const [k, v] of Object.entries(result.outputs)) {
        const text = String(v);
        if (hidden && k.endsWith('-base64') && text !== '')
          io.stdout(`${k}=(${text.length} characters of base64, left out on a terminal; --show-base64 prints it)`);
        else io.stdout(`${k}=${logLine(text)}`);
      }
    }
    if (result.failure) {
      io.stderr(`error: ${logLine(result.failure)}`);
      if (args.json) io.stdout(json({ error: result.failure, exitCode: 1 }));
      return 1;
    }
    return 0;
  } catch (err) {
    const sentence = err instanceof InputError ? cliSentence(err, given, io.env) : describeError(err);
    const exitCode = err instanceof UsageError ? 2 : 1;
    io.stderr(`error: ${logLine(sentence)}`);
    if (argv.includes('--json')) io.stdout(JSON.stringify({ error: sentence, exitCode }).replace(/##\[/g, '##\\u005b'));
    return exitCode;
  }
}

export function packageRoot(bundleDir: string): string {
  return path.resolve(bundleDir, '../..');
}
