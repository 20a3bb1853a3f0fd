import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { bundlePath, ROOT } from '../support/runner.js';

interface Yml {
  name?: string;
  description?: string;
  branding?: { icon?: string; color?: string };
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  runs?: { using?: string; main?: string; post?: string };
}

const actions = readdirSync(path.join(ROOT, 'actions')).filter((d) => existsSync(path.join(ROOT, 'actions', d, 'action.yml')));
const all: [string, string, string][] = [
  ...actions.map((a): [string, string, string] => [a, path.join(ROOT, 'actions', a, 'action.yml'), path.join(ROOT, 'actions', a, 'README.md')]),
  ['provision', path.join(ROOT, 'action.yml'), path.join(ROOT, 'README.md')],
];

/** Names documented in a README's tables: the first cell of each row, in backticks. */
function tableNames(markdown: string, heading: RegExp): Set<string> {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => heading.test(l));
  const names = new Set<string>();
  if (start === -1) return names;
  for (let i = start + 1; i < lines.length && !/^#{1,3} /.test(lines[i] ?? ''); i++) {
    const m = /^\|\s*`([a-z0-9-]+)`/.exec(lines[i] ?? '');
    if (m?.[1]) names.add(m[1]);
  }
  return names;
}

describe.each(all)('%s: action.yml and its README agree', (name, ymlPath, readmePath) => {
  const yml = parse(readFileSync(ymlPath, 'utf8')) as Yml;
  const readme = existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : '';
  const section = name === 'provision' ? (/^## provision[\s\S]*?(?=^## (?!#))/m.exec(readme)?.[0] ?? '') : readme;

  it('has Marketplace metadata and runs, on node24, the bundle of one of our entry points', () => {
    expect(yml.name).toBeTruthy();
    expect(yml.description?.length).toBeGreaterThan(20);
    expect(yml.branding?.icon).toBeTruthy();
    expect(yml.branding?.color).toBeTruthy();
    expect(yml.runs?.using).toBe('node24');
    // dist/<bundle>/index.js, built from src/entrypoints/<bundle>.ts; the test build holds the same bundle, and
    // CI checks that the committed dist/ is what the sources build.
    for (const entry of [yml.runs?.main, yml.runs?.post]) {
      if (!entry) continue;
      const m = /^dist\/([a-z0-9-]+)\/index\.js$/.exec(path.relative(ROOT, path.resolve(path.dirname(ymlPath), entry)));
      expect(m, entry).not.toBeNull();
      expect(existsSync(path.join(ROOT, 'src/entrypoints', `${m?.[1]}.ts`)), entry).toBe(true);
      expect(existsSync(bundlePath(m?.[1] ?? '')), entry).toBe(true);
    }
  });

  it('documents every input and no input that does not exist', () => {
    const documented = new Set([...tableNames(section, /^#+ .*Inputs/i), ...tableNames(readme, /^#+ .*shared inputs/i)]);
    const declared = Object.keys(yml.inputs ?? {});
    expect(declared.filter((i) => !documented.has(i))).toEqual([]);
    expect([...tableNames(section, /^#+ .*Inputs/i)].filter((i) => !declared.includes(i))).toEqual([]);
  });

  it('documents every output and no output that does not exist', () => {
    const documented = tableNames(section, /^#+ .*Outputs/i);
    const declared = Object.keys(yml.outputs ?? {});
    expect(declared.filter((o) => !documented.has(o))).toEqual([]);
    expect([...documented].filter((o) => !declared.includes(o))).toEqual([]);
  });
});
