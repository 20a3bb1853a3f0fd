// Runs a bundled action the way the GitHub runner does: node dist/<bundle>/index.js with INPUT_* variables
// (action.yml defaults applied), STATE_* for a post step and the runner's command files; then prints its
// log (indented, without ::debug:: and ::add-mask:: lines, masked values as ***), its outputs and returns
// them with the state and the step summary.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

const root = path.resolve(import.meta.dirname, '..', '..');
/** The bundles the demo runs: dist/ (the release), or .build/ with ASA_BUNDLES=.build (node scripts/build-test.mjs makes it). */
export const BUNDLES = path.join(root, process.env['ASA_BUNDLES'] === '.build' ? '.build' : 'dist');
const MAX_LOG_LINES = 40;
const MAX_VALUE = 100;

/** What the runner masks: every value an action registered with ::add-mask::. */
export class Masker {
  #secrets = new Set();
  add(value) {
    if (typeof value !== 'string' || value.length < 4) return;
    this.#secrets.add(value);
    // The runner also masks each line of a multi-line secret.
    for (const line of value.split(/\r?\n/)) if (line.trim().length >= 8) this.#secrets.add(line.trim());
  }
  apply(text) {
    let out = text;
    for (const s of [...this.#secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join('***');
    return out;
  }
}

function parseCommandFile(text) {
  const out = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (m) {
      const value = [];
      for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]);
      out[m[1]] = value.join('\n');
    } else if (/^[^=]+=/.test(lines[i])) {
      const eq = lines[i].indexOf('=');
      out[lines[i].slice(0, eq)] = lines[i].slice(eq + 1);
    }
  }
  return out;
}

async function actionDefaults(action) {
  const file = action === 'provision' ? path.join(root, 'action.yml') : path.join(root, 'actions', action, 'action.yml');
  const yml = parseYaml(await readFile(file, 'utf8'));
  const out = {};
  for (const [name, spec] of Object.entries(yml.inputs ?? {})) if (spec?.default !== undefined) out[name] = String(spec.default);
  return out;
}

/** Undoes @actions/core's escaping of command data. */
const unescapeCommand = (v) => v.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');

const short = (v) => (v.length > MAX_VALUE ? `${v.slice(0, MAX_VALUE - 3)}...` : v);

/**
 * @param {object} demo   { work, home, workspace, caFile, masker, print }
 * @param {string} action the action whose action.yml gives the defaults
 * @param {Record<string,string>} inputs
 * @param {{ bundle?: string, state?: Record<string,string>, runnerTemp?: string, maskOutputs?: string[] }} opts
 */
export async function runAction(demo, action, inputs, opts = {}) {
  const bundle = opts.bundle ?? action;
  const runnerTemp = opts.runnerTemp ?? (await mkdtemp(path.join(demo.work, `${bundle}-`)));
  const files = await mkdtemp(path.join(demo.work, `${bundle}-files-`));
  await mkdir(demo.home, { recursive: true });
  const env = {
    PATH: process.env.PATH,
    HOME: demo.home,
    RUNNER_TEMP: runnerTemp,
    GITHUB_WORKSPACE: demo.workspace,
    NODE_EXTRA_CA_CERTS: demo.caFile,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
  };
  for (const f of ['OUTPUT', 'STATE', 'STEP_SUMMARY', 'ENV', 'PATH']) {
    env[`GITHUB_${f}`] = path.join(files, f.toLowerCase());
    await writeFile(env[`GITHUB_${f}`], '');
  }
  const all = bundle.endsWith('-post') ? {} : { ...(await actionDefaults(action)), ...inputs };
  for (const [k, v] of Object.entries(all)) env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
  for (const [k, v] of Object.entries(opts.state ?? {})) env[`STATE_${k}`] = v;

  const child = spawn(process.execPath, [path.join(BUNDLES, bundle, 'index.js')], { env, cwd: demo.workspace, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise((resolve) => child.on('close', resolve));

  const log = [];
  for (const line of stdout.split('\n')) {
    const mask = /^::add-mask::(.*)$/.exec(line);
    if (mask) demo.masker.add(unescapeCommand(mask[1]));
    else if (line.startsWith('::group::')) log.push(`> ${line.slice('::group::'.length)}`);
    else if (/^::(warning|error|notice)[^:]*::/.test(line)) log.push(line.replace(/^::(\w+)[^:]*::/, '$1: '));
    else if (line && !line.startsWith('::debug::') && line !== '::endgroup::') log.push(line);
  }
  for (const line of stderr.split('\n')) if (line) log.push(`(stderr) ${line}`);
  const shown = log.length > MAX_LOG_LINES ? [...log.slice(0, MAX_LOG_LINES - 1), `... (${log.length - MAX_LOG_LINES + 1} more lines)`] : log;
  for (const line of shown) demo.print(`  | ${line}`);

  const outputs = parseCommandFile(await readFile(env.GITHUB_OUTPUT, 'utf8'));
  const state = parseCommandFile(await readFile(env.GITHUB_STATE, 'utf8'));
  const summary = await readFile(env.GITHUB_STEP_SUMMARY, 'utf8');
  for (const k of opts.maskOutputs ?? []) demo.masker.add(outputs[k]);
  demo.print(`  exit code ${code}${Object.keys(outputs).length ? '; outputs:' : ''}`);
  for (const [k, v] of Object.entries(outputs)) demo.print(`    ${k} = ${(opts.maskOutputs ?? []).includes(k) && v ? '***' : short(v.replace(/\n/g, ' '))}`);
  if (code !== 0) throw new Error(`${bundle} failed in the demo (exit ${code})`);
  return { outputs, state, summary, runnerTemp };
}
