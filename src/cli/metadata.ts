/** Reads an action's inputs and outputs from its action.yml, so --help and defaults match the actions. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export interface ActionIo {
  description: string;
  inputs: { name: string; description: string; required: boolean; default?: string }[];
  outputs: { name: string; description: string }[];
}

interface Yml {
  description?: string;
  inputs?: Record<string, { description?: string; required?: boolean; default?: unknown }>;
  outputs?: Record<string, { description?: string }>;
}

/** `root` is the package root (holding action.yml and actions/). 'provision' is the root action.yml. */
export function readActionIo(root: string, command: string): ActionIo {
  const file = command === 'provision' ? path.join(root, 'action.yml') : path.join(root, 'actions', command, 'action.yml');
  const yml = parse(readFileSync(file, 'utf8')) as Yml;
  return {
    description: yml.description ?? '',
    inputs: Object.entries(yml.inputs ?? {}).map(([name, s]) => ({
      name,
      description: s.description ?? '',
      required: s.required === true,
      ...(s.default === undefined ? {} : { default: String(s.default) }),
    })),
    outputs: Object.entries(yml.outputs ?? {}).map(([name, s]) => ({ name, description: s.description ?? '' })),
  };
}
