/**
 * The GitHub Actions edge: inputs from the runner, secrets masked, outputs and a job summary written,
 * and every failure turned into one sentence with a non-zero exit. Action logic knows none of this.
 */
import * as core from '@actions/core';
import { describeError } from '../../core/errors.js';
import { logLine, MIN_MASKABLE, safeLogger, type Logger, type Mask } from '../../core/log.js';
import type { InputSource } from './inputs.js';
import { escapeHtml, summaryTables, type SummaryTable } from './summary.js';

export type OutputValue = string | number | boolean;

export interface ActionResult {
  outputs: Record<string, OutputValue>;
  /** One table, or several when an action composes others (provision). */
  summary?: SummaryTable | readonly SummaryTable[];
  /** Set when the step must fail after its outputs are written (e.g. some devices failed). */
  failure?: string;
}

/** Values handed from an action's main step to its post step (never secrets: the runner stores them as plain text). */
export interface StateStore {
  save(name: string, value: string): void;
  /** '' when main saved nothing under the name. */
  get(name: string): string;
}

/** What an action's logic gets from its front end. */
export interface RunContext {
  log: Logger;
  mask: Mask;
  /** Present where a post step will run (GitHub); absent for front ends with no post step. */
  state?: StateStore;
}

export interface ActionDefinition<I> {
  parse(src: InputSource): I;
  execute(inputs: I, ctx: RunContext): Promise<ActionResult>;
}

const actionsInputSource: InputSource = {
  get: (name) => core.getInput(name, { trimWhitespace: false }),
  mask: (secret) => {
    if (secret.trim().length >= MIN_MASKABLE) core.setSecret(secret);
  },
};

const actionsState: StateStore = {
  save: (name, value) => core.saveState(name, value),
  get: (name) => core.getState(name),
};

/** Every line goes through safeLogger: core.info prints its text raw, and data must never become a command. */
const actionsLogger: Logger = safeLogger({
  info: (m) => core.info(m),
  debug: (m) => core.debug(m),
  warning: (m, title) => core.warning(m, title ? { title } : {}),
  notice: (m, title) => core.notice(m, title ? { title } : {}),
  group: (name, fn) => core.group(name, fn),
});

/** Fails the step with one sentence, which may quote data, so it is made one safe line first. */
function fail(message: string): void {
  core.setFailed(logLine(message));
}

async function writeSummary(tables: readonly SummaryTable[]): Promise<void> {
  if (!process.env['GITHUB_STEP_SUMMARY'] || tables.length === 0) return;
  for (const table of tables) {
    const [head, ...body] = table.rows;
    core.summary.addHeading(escapeHtml(table.heading), 3);
    if (head) {
      core.summary.addTable([head.map((h) => ({ data: escapeHtml(h), header: true })), ...body.map((row) => row.map((c) => escapeHtml(c)))]);
    }
    for (const note of table.notes ?? []) core.summary.addRaw(`<p>${escapeHtml(note)}</p>`, true);
  }
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
    const result = await def.execute(inputs, { log: actionsLogger, mask: src.mask, state: actionsState });
    for (const [name, value] of Object.entries(result.outputs)) core.setOutput(name, String(value));
    await writeSummary(summaryTables(result));
    if (result.failure) fail(result.failure);
  } catch (err) {
    if (err instanceof Error && err.stack) core.debug(err.stack);
    fail(describeError(err));
  }
}

/** A post step: cleanup from what main saved in state (post steps may see the wrong inputs, so none are read). */
export interface PostDefinition {
  run(state: StateStore, ctx: RunContext): Promise<void>;
}

/** Runs a post step. Never throws; a cleanup that fails is a warning, not a failed job. */
export async function runPost(def: PostDefinition): Promise<void> {
  try {
    await def.run(actionsState, { log: actionsLogger, mask: (s) => core.setSecret(s), state: actionsState });
  } catch (err) {
    if (err instanceof Error && err.stack) core.debug(err.stack);
    actionsLogger.warning(describeError(err), 'Cleanup incomplete');
  }
}
