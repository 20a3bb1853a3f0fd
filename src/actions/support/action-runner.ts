/**
 * The GitHub Actions edge: inputs from the runner, secrets masked, outputs and a job summary written,
 * and every failure turned into one sentence with a non-zero exit. Action logic knows none of this.
 */
import * as core from '@actions/core';
import { describeError } from '../../core/errors.js';
import type { Logger, Mask } from '../../core/log.js';
import type { InputSource } from './inputs.js';
import { escapeHtml, type SummaryTable } from './summary.js';

export type OutputValue = string | number | boolean;

export interface ActionResult {
  outputs: Record<string, OutputValue>;
  summary?: SummaryTable;
  /** Set when the step must fail after its outputs are written (e.g. some devices failed). */
  failure?: string;
}

/** What an action's logic gets from its front end. */
export interface RunContext {
  log: Logger;
  mask: Mask;
}

export interface ActionDefinition<I> {
  parse(src: InputSource): I;
  execute(inputs: I, ctx: RunContext): Promise<ActionResult>;
}

export const actionsInputSource: InputSource = {
  get: (name) => core.getInput(name, { trimWhitespace: false }),
  mask: (secret) => {
    if (secret.trim().length >= 4) core.setSecret(secret);
  },
};

export const actionsLogger: Logger = {
  info: (m) => core.info(m),
  debug: (m) => core.debug(m),
  warning: (m, title) => core.warning(m, title ? { title } : {}),
  notice: (m, title) => core.notice(m, title ? { title } : {}),
  group: (name, fn) => core.group(name, fn),
};

async function writeSummary(table: SummaryTable): Promise<void> {
  if (!process.env['GITHUB_STEP_SUMMARY']) return;
  const [head, ...body] = table.rows;
  core.summary.addHeading(escapeHtml(table.heading), 3);
  if (head) {
    core.summary.addTable([
      head.map((h) => ({ data: escapeHtml(h), header: true })),
      ...body.map((row) => row.map((c) => escapeHtml(c))),
    ]);
  }
  for (const note of table.notes ?? []) core.summary.addRaw(`<p>${escapeHtml(note)}</p>`, true);
  try {
    await core.summary.write();
  } catch (err) {
    core.debug(`job summary not written: ${describeError(err)}`);
  }
}

/** Runs one action as a GitHub step. Never throws: failures end in `core.setFailed`. */
export async function runAction<I>(def: ActionDefinition<I>, src: InputSource = actionsInputSource): Promise<void> {
  try {
    const inputs = def.parse(src);
    const result = await def.execute(inputs, { log: actionsLogger, mask: src.mask });
    for (const [name, value] of Object.entries(result.outputs)) core.setOutput(name, String(value));
    if (result.summary) await writeSummary(result.summary);
    if (result.failure) core.setFailed(result.failure);
  } catch (err) {
    if (err instanceof Error && err.stack) core.debug(err.stack);
    core.setFailed(describeError(err));
  }
}
