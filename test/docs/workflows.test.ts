/**
 * The workflow examples in the docs parse as YAML, and every step that uses one of our actions passes only
 * inputs that action declares; every `steps.<id>.outputs.<name>` they read is an output of that step's action.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../support/runner.js';

interface ActionIo {
  inputs: Set<string>;
  outputs: Set<string>;
}

function actionIo(file: string): ActionIo {
  const y = parse(readFileSync(file, 'utf8')) as { inputs?: Record<string, unknown>; outputs?: Record<string, unknown> };
  return { inputs: new Set(Object.keys(y.inputs ?? {})), outputs: new Set(Object.keys(y.outputs ?? {})) };
}

const ACTIONS = new Map<string, ActionIo>([['', actionIo(path.join(ROOT, 'action.yml'))]]);
for (const d of readdirSync(path.join(ROOT, 'actions'))) {
  const file = path.join(ROOT, 'actions', d, 'action.yml');
  if (existsSync(file)) ACTIONS.set(`/actions/${d}`, actionIo(file));
}

const DOCS = [
  'README.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
  ...[...ACTIONS.keys()].filter((k) => k !== '').map((k) => `${k.slice(1)}/README.md`),
].filter((f) => existsSync(path.join(ROOT, f)));

interface Step {
  id?: string;
  uses?: string;
  with?: Record<string, unknown>;
}

/** Every step list in a parsed YAML document: a workflow's jobs, or a bare list of steps. */
function stepsOf(doc: unknown): Step[] {
  const out: Step[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) {
        if (x && typeof x === 'object' && ('uses' in x || 'run' in x)) out.push(x as Step);
        visit(x);
      }
    } else if (v && typeof v === 'object') for (const x of Object.values(v)) visit(x);
  };
  visit(doc);
  return out;
}

/** Which of our actions a `uses:` names ('' for the root action), or undefined for another one. */
function ourAction(uses: string | undefined): string | undefined {
  const m = /^OWNER\/apple-signing-actions(\/actions\/[a-z-]+)?@/.exec(uses ?? '');
  return m ? (m[1] ?? '') : undefined;
}

it('finds the steps of our actions in the workflow examples', () => {
  const uses = readFileSync(path.join(ROOT, 'docs/WORKFLOWS.md'), 'utf8').match(/uses: OWNER\/apple-signing-actions/g) ?? [];
  expect(uses.length).toBeGreaterThan(10);
});

describe.each(DOCS)('%s: workflow examples', (doc) => {
  const text = readFileSync(path.join(ROOT, doc), 'utf8');
  const blocks = [...text.matchAll(/```ya?ml\n([\s\S]*?)```/g)].map((m) => m[1] as string);

  it('parse as YAML', () => {
    for (const b of blocks) expect(() => parse(b), b.slice(0, 200)).not.toThrow();
  });

  it('pass only inputs our actions declare, and read only outputs they set', () => {
    const problems: string[] = [];
    for (const b of blocks) {
      const steps = stepsOf(parse(b));
      const byId = new Map<string, ActionIo>();
      for (const s of steps) {
        const name = ourAction(s.uses);
        if (name === undefined) continue;
        const io = ACTIONS.get(name);
        if (!io) {
          problems.push(`${s.uses}: no such action`);
          continue;
        }
        if (s.id) byId.set(s.id, io);
        for (const k of Object.keys(s.with ?? {})) if (!io.inputs.has(k)) problems.push(`${s.uses}: no input ${k}`);
      }
      for (const m of b.matchAll(/steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g)) {
        const io = byId.get(m[1] as string);
        if (io && !io.outputs.has(m[2] as string)) problems.push(`steps.${m[1]}: no output ${m[2]}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
