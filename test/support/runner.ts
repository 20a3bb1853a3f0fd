/**
 * Runs a bundled action the way the GitHub runner does: `node dist/<bundle>/index.js` in a fresh
 * environment holding only PATH, HOME, RUNNER_TEMP, the GITHUB_* command files and INPUT_* (with the
 * action.yml defaults applied, as the runner does), then parses outputs, state and the summary.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Where the bundles under test are: `.build/`, which vitest's global setup builds from the current
 * sources before any test runs (test/support/global-setup.ts), or `dist/`, the committed release
 * bundles, with `ASA_BUNDLES=dist` (CI runs the action tests once that way too).
 */
const BUNDLES = path.join(ROOT, process.env['ASA_BUNDLES'] === 'dist' ? 'dist' : '.build');

/** The entry file of one bundle, e.g. `bundlePath('cli')`. */
export function bundlePath(name: string): string {
  return path.join(BUNDLES, name, 'index.js');
}

export interface StepResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  /** The `::error::` lines, decoded. */
  errors: string[];
  warnings: string[];
  notices: string[];
  home: string;
  runnerTemp: string;
}

export interface StepOptions {
  /** Bundle name (default: the action's name); see {@link BUNDLES}. */
  bundle?: string;
  env?: Record<string, string>;
  /** Reuse a HOME / RUNNER_TEMP (e.g. main then post of one job). */
  home?: string;
  runnerTemp?: string;
  /** STATE_* values for a post step. */
  state?: Record<string, string>;
  /** Extra directories put first on PATH (e.g. a `security` stand-in). */
  pathPrefix?: string[];
  /** Working directory of the step (the runner uses GITHUB_WORKSPACE); default the repository root. */
  cwd?: string;
}

interface ActionYaml {
  inputs?: Record<string, { default?: string | boolean | number }>;
}

/** `actions/<name>/action.yml`, or the root action.yml for 'provision'. */
async function actionDefaults(action: string): Promise<Record<string, string>> {
  const file = action === 'provision' ? path.join(ROOT, 'action.yml') : path.join(ROOT, 'actions', action, 'action.yml');
  const yml = parseYaml(await readFile(file, 'utf8')) as ActionYaml;
  const out: Record<string, string> = {};
  for (const [name, spec] of Object.entries(yml.inputs ?? {})) if (spec.default !== undefined) out[name] = String(spec.default);
  return out;
}

/** Parses the runner's file-command format (`name<<DELIM ... DELIM`, or `name=value`). */
function parseCommandFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc as unknown as [string, string, string];
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i] ?? '');
      out[name] = value.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

function decodeCommand(value: string): string {
  return value.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

function commandLines(stdout: string, command: string): string[] {
  const re = new RegExp(`^::${command}(?: [^:]*)?::(.*)$`, 'gm');
  return [...stdout.matchAll(re)].map((m) => decodeCommand(m[1] ?? ''));
}

export async function runStep(action: string, inputs: Record<string, string>, opts: StepOptions = {}): Promise<StepResult> {
  const home = opts.home ?? (await mkdtemp(path.join(tmpdir(), 'asa-home-')));
  const runnerTemp = opts.runnerTemp ?? (await mkdtemp(path.join(tmpdir(), 'asa-temp-')));
  const files = await mkdtemp(path.join(tmpdir(), 'asa-files-'));
  const cmd = { GITHUB_OUTPUT: 'output', GITHUB_STATE: 'state', GITHUB_STEP_SUMMARY: 'summary', GITHUB_ENV: 'env', GITHUB_PATH: 'path' };
  const env: Record<string, string> = {
    PATH: [...(opts.pathPrefix ?? []), process.env['PATH'] ?? ''].join(path.delimiter),
    HOME: home,
    RUNNER_TEMP: runnerTemp,
    GITHUB_ACTIONS: 'true',
  };
  for (const [k, f] of Object.entries(cmd)) {
    env[k] = path.join(files, f);
    await writeFile(env[k], '');
  }
  for (const [k, v] of Object.entries({ ...(await actionDefaults(action)), ...inputs })) env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
  for (const [k, v] of Object.entries(opts.state ?? {})) env[`STATE_${k}`] = v;
  Object.assign(env, opts.env);
  const script = bundlePath(opts.bundle ?? action);
  const { code, stdout, stderr } = await runNode([script], { env, cwd: opts.cwd ?? ROOT });
  const exitCode = code ?? -1;
  return {
    exitCode,
    stdout,
    stderr,
    outputs: parseCommandFile(await readFile(env['GITHUB_OUTPUT'] as string, 'utf8')),
    state: parseCommandFile(await readFile(env['GITHUB_STATE'] as string, 'utf8')),
    summary: await readFile(env['GITHUB_STEP_SUMMARY'] as string, 'utf8'),
    errors: commandLines(stdout, 'error'),
    warnings: commandLines(stdout, 'warning'),
    notices: commandLines(stdout, 'notice'),
    home,
    runnerTemp,
  };
}

export interface NodeResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node <args>` as a child process with exactly `env` and collects its output. Asynchronous, so a
 * simulator in the test's own process keeps answering.
 */
export async function runNode(args: readonly string[], opts: { env: Record<string, string>; cwd?: string }): Promise<NodeResult> {
  const child = spawn(process.execPath, args, { env: opts.env, cwd: opts.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}

/** Runs the bundled command line with `args`, with PATH and HOME (a temporary folder unless `env` gives one) plus `env`. */
export function runCliBundle(args: readonly string[], env: Record<string, string> = {}): Promise<NodeResult> {
  return runNode([bundlePath('cli'), ...args], { env: { PATH: process.env['PATH'] ?? '', HOME: tmpdir(), ...env } });
}

export interface WorkflowCommand {
  name: string;
  data: string;
  line: string;
}

/**
 * Reads one output line the way the Actions runner does (actions/runner ActionCommand.TryParseV2, then
 * the older TryParse): `::name props::data` after leading white space, or `##[name props]data` anywhere
 * in the line. Any word counts as a name here, which is stricter than the runner's list of commands.
 */
function parseWorkflowCommand(line: string): WorkflowCommand | undefined {
  const v2 = line.replace(/^\s+/, '');
  const end = v2.startsWith('::') ? v2.indexOf('::', 2) : -1;
  if (end >= 0) {
    const name = v2.slice(2, end).split(' ')[0] ?? '';
    if (/^[\w-]+$/.test(name)) return { name, data: v2.slice(end + 2), line };
  }
  const at = line.indexOf('##[');
  const rb = at >= 0 ? line.indexOf(']', at) : -1;
  if (rb >= 0) {
    const name = line.slice(at + 3, rb).split(' ')[0] ?? '';
    if (/^[\w-]+$/.test(name)) return { name, data: line.slice(rb + 1), line };
  }
  return undefined;
}

/** The lines the runner splits output into: at CR, LF or CRLF. */
export function runnerLines(output: string): string[] {
  return output.split(/\r\n|\r|\n/);
}

/** Every line of the output that the runner takes as a workflow command. */
export function workflowCommands(output: string): WorkflowCommand[] {
  return runnerLines(output).flatMap((l) => parseWorkflowCommand(l) ?? []);
}

/** The commands the actions issue themselves (outputs and state go through files, never commands). */
export const OWN_COMMANDS = new Set(['add-mask', 'group', 'endgroup', 'warning', 'notice', 'error', 'debug']);

/**
 * Which secrets (or telling fragments of them: each PEM body line, each JWT part, any 12-character
 * window of short secrets) appear in the output as the runner shows it. An `::add-mask::` line is how a
 * secret is registered and the runner never prints it, unless `::stop-commands::` switched command
 * processing off: then, until the resume token, every line is printed as it is, add-mask lines included.
 */
export function findLeaks(output: string, secrets: readonly string[]): string[] {
  const lines: string[] = [];
  let stopToken: string | undefined;
  for (const line of runnerLines(output)) {
    const cmd = parseWorkflowCommand(line);
    if (stopToken !== undefined) {
      if (cmd?.name.toLowerCase() === stopToken.toLowerCase()) stopToken = undefined;
      lines.push(line);
    } else if (cmd?.name === 'stop-commands') {
      stopToken = cmd.data;
    } else if (cmd?.name !== 'add-mask') {
      lines.push(line);
    }
  }
  const visible = lines.join('\n');
  const leaks: string[] = [];
  for (const secret of secrets) {
    const fragments = new Set<string>();
    if (secret.includes('-----BEGIN')) {
      for (const line of secret.split('\n')) if (line.length >= 16 && !line.startsWith('-----')) fragments.add(line);
    } else if (/^[\w-]+\.[\w-]+\.[\w-]+$/.test(secret)) {
      for (const part of secret.split('.').slice(1)) if (part.length >= 12) fragments.add(part);
    } else {
      for (let i = 0; i + 12 <= secret.length; i += 6) fragments.add(secret.slice(i, i + 12));
      if (secret.length < 12) fragments.add(secret);
    }
    for (const f of fragments) if (visible.includes(f)) leaks.push(f);
  }
  return leaks;
}
