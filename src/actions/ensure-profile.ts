/**
 * ensure-profile: converges one provisioning profile per bundle ID (keep, create, or delete and
 * recreate, and why), installs it where Xcode looks, and reports it. rotate-profile shares all of
 * this with `rotate: true`.
 */
import { createAppleClient, type AppleApiConfig } from '../apple/client.js';
import type { ProfileType } from '../apple/types.js';
import { InputError } from '../core/errors.js';
import { PROFILE_TYPE_NAMES, profileTypeInfo } from '../profiles/profile-types.js';
import type { ActionDefinition, ActionResult, RunContext } from './support/action-runner.js';
import { readAppleApiInputs } from './support/apple-inputs.js';
import { budgetLine, clientDeps } from './support/client-deps.js';
import { booleanInput, integerInput, listInput, oneOf, optionalString, type InputSource } from './support/inputs.js';
import { convergeProfiles } from '../profiles/ensure.js';
import { quoteValue } from '../core/redact.js';

export interface ProfileInputs {
  apple: AppleApiConfig;
  /** Bundle identifiers with the profile name each gets. */
  targets: { identifier: string; name: string }[];
  profileType: ProfileType;
  certificateIds: string[] | undefined;
  minDaysValid: number;
  install: boolean;
  profilesDir: string | undefined;
  dryRun: boolean;
}

const IDENTIFIER = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(\.\*)?$|^\*$/;

export function parseProfileInputs(src: InputSource): ProfileInputs {
  const apple = readAppleApiInputs(src);
  const identifiers = [...new Set(listInput(src, 'bundle-id'))];
  if (identifiers.length === 0) {
    throw new InputError(
      'bundle-id',
      'Input bundle-id is required: the bundle identifier, e.g. com.example.app (several, one a line or comma-separated, for an app and its extensions).',
    );
  }
  for (const id of identifiers) {
    if (!IDENTIFIER.test(id)) {
      throw new InputError(
        'bundle-id',
        `Input bundle-id has ${quoteValue(id)}, but a bundle identifier is letters, digits, hyphens and dots, e.g. com.example.app (several, one a line or comma-separated).`,
      );
    }
  }
  const profileType = oneOf(src, 'profile-type', PROFILE_TYPE_NAMES, undefined);
  const only = profileTypeInfo(profileType).api;
  if (only && only !== apple.api) {
    const fix =
      only === 'enterprise'
        ? 'set api: enterprise with an Enterprise Program API key'
        : 'use IOS_APP_INHOUSE (or another in-house or ad hoc type) on the Enterprise Program API';
    throw new InputError('profile-type', `Input profile-type is ${profileType}, which the ${apple.api} API does not offer; ${fix}.`);
  }
  const names = (optionalString(src, 'profile-name') ?? '')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length > 0 && names.length !== identifiers.length) {
    throw new InputError(
      'profile-name',
      `Input profile-name gives ${names.length} name(s) for ${identifiers.length} bundle IDs; give one name a line in the order of bundle-id, or leave it empty for '<bundle-id> ${profileType}'.`,
    );
  }
  const targets = identifiers.map((identifier, i) => ({ identifier, name: names[i] ?? `${identifier} ${profileType}` }));
  const twice = targets.find((t, n) => targets.findIndex((u) => u.name === t.name) !== n);
  if (twice) {
    throw new InputError(
      'profile-name',
      `Input profile-name gives ${quoteValue(twice.name)} to more than one bundle ID, but Apple allows one profile per name; give each bundle ID its own name, one a line.`,
    );
  }
  const certificateIds = listInput(src, 'certificate-ids');
  const minDaysValid = integerInput(src, 'min-days-valid', 30, 0);
  if (minDaysValid > 365) {
    throw new InputError(
      'min-days-valid',
      `Input min-days-valid is ${minDaysValid}, but it takes a whole number of days from 0 to 365 (profiles live at most a year; default 30).`,
    );
  }
  return {
    apple,
    targets,
    profileType,
    certificateIds: certificateIds.length > 0 ? certificateIds : undefined,
    minDaysValid,
    install: booleanInput(src, 'install', true),
    profilesDir: optionalString(src, 'profiles-dir'),
    dryRun: booleanInput(src, 'dry-run', false),
  };
}

export async function runProfileAction(i: ProfileInputs, ctx: RunContext, rotate: boolean): Promise<ActionResult> {
  const http = createAppleClient(i.apple, clientDeps(ctx));
  const result = await convergeProfiles(http, i, ctx.log, { rotate, now: new Date() });
  ctx.log.info(budgetLine(http));
  return result;
}

export const ensureProfile: ActionDefinition<ProfileInputs> = {
  parse: parseProfileInputs,
  execute: (i, ctx) => runProfileAction(i, ctx, false),
};
