/** The actions the command line offers, by name. Each is the same definition the GitHub action runs. */
import { assignDevices } from '../actions/assign-devices.js';
import { downloadCertificate } from '../actions/download-certificate.js';
import { ensureBundleId } from '../actions/ensure-bundle-id.js';
import { ensureProfile } from '../actions/ensure-profile.js';
import { provision } from '../actions/provision.js';
import { pruneProfilesAction } from '../actions/prune-profiles.js';
import { registerDevices } from '../actions/register-devices.js';
import { rotateProfile } from '../actions/rotate-profile.js';
import { signingReportAction } from '../actions/signing-report.js';
import type { ActionDefinition, ActionResult, RunContext } from '../actions/support/action-runner.js';
import type { InputSource } from '../actions/support/inputs.js';

export interface Command {
  run(src: InputSource, ctx: RunContext): Promise<ActionResult>;
}

function command<I>(def: ActionDefinition<I>): Command {
  return { run: (src, ctx) => def.execute(def.parse(src), ctx) };
}

export const COMMANDS: Record<string, Command> = {
  'register-devices': command(registerDevices),
  'ensure-profile': command(ensureProfile),
  'rotate-profile': command(rotateProfile),
  'download-certificate': command(downloadCertificate),
  'assign-devices': command(assignDevices),
  provision: command(provision),
  'signing-report': command(signingReportAction),
  'prune-profiles': command(pruneProfilesAction),
  'ensure-bundle-id': command(ensureBundleId),
};

/** Inputs that may be given as files; the file's contents become the input (base64 for binary ones). */
export const FILE_FLAGS: Record<string, { input: string; binary: boolean }> = {
  'private-key-file': { input: 'private-key', binary: false },
  'signing-key-file': { input: 'signing-key', binary: false },
  'p12-file': { input: 'p12', binary: true },
};
