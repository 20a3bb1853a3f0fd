/**
 * ensure-profile: converges one provisioning profile per bundle ID (keep, create, or delete and
 * recreate, and why), installs it where Xcode looks, and reports it. rotate-profile shares all of
 * this with `rotate: true`.
 */
import { tmpdir } from 'node:os';
import type { PlistValue } from '../core/plist.js';
import { createAppleClient, type AppleApiConfig } from '../apple/client.js';
import { InputError } from '../core/errors.js';
import { parseExportOptionsExtra } from '../xcode/export-options.js';
import { handOverToXcode, type HandOverResult } from '../xcode/handover.js';
import type { CertificateName } from '../xcode/signing-identity.js';
import { unsafeXcconfigValue } from '../xcode/xcconfig.js';
import { detectXcodeVersion, parseXcodeVersion, type XcodeVersion } from '../xcode/xcode-version.js';
import { PROFILE_TYPE_NAMES, profileTypeInfo } from '../profiles/profile-types.js';
import type { ActionDefinition, ActionResult, RunContext } from './support/action-runner.js';
import { readAppleApiInputs } from './support/apple-inputs.js';
import { bundleIdentifiers, entitlementsInput } from './support/bundle-id-inputs.js';
import { budgetLine, clientDeps } from './support/client-deps.js';
import { booleanInput, integerInput, listInput, oneOf, optionalString, type InputSource } from './support/inputs.js';
import { ensureProfiles, type EnsureProfilesRequest } from '../profiles/ensure.js';
import { formatDate, type ProfileDecision } from '../profiles/plan.js';
import type { ProfileReport } from '../profiles/report.js';
import { quoteValue } from '../core/redact.js';

/** export-options and its companions: what to hand over to xcodebuild. */
interface HandOverInputs {
  enabled: boolean;
  /** Given as xcode-version; undefined: read from xcodebuild -version when there is one. */
  xcodeVersion: XcodeVersion | undefined;
  extra: Record<string, PlistValue>;
}

export interface ProfileInputs extends EnsureProfilesRequest {
  apple: AppleApiConfig;
  handOver: HandOverInputs;
}

export function parseProfileInputs(src: InputSource): ProfileInputs {
  const apple = readAppleApiInputs(src);
  const identifiers = bundleIdentifiers(src);
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
    api: apple.api,
    handOver: parseHandOverInputs(src, targets),
    targets,
    profileType,
    certificateIds: certificateIds.length > 0 ? certificateIds : undefined,
    minDaysValid,
    install: booleanInput(src, 'install', true),
    profilesDir: optionalString(src, 'profiles-dir'),
    dryRun: booleanInput(src, 'dry-run', false),
    entitlements: entitlementsInput(src, identifiers),
  };
}

function parseHandOverInputs(src: InputSource, targets: readonly { name: string }[]): HandOverInputs {
  const enabled = booleanInput(src, 'export-options', false);
  const version = optionalString(src, 'xcode-version');
  const xcodeVersion = version === undefined ? undefined : parseXcodeVersion(version);
  if (version !== undefined && !xcodeVersion) {
    throw new InputError(
      'xcode-version',
      `Input xcode-version is ${quoteValue(version)}, but it takes an Xcode version such as 15.2, 15.3 or 16 (default: read from xcodebuild -version).`,
    );
  }
  const extra = parseExportOptionsExtra(src.get('export-options-extra'));
  if (enabled) {
    for (const t of targets) {
      const problem = unsafeXcconfigValue(t.name);
      if (problem) {
        throw new InputError(
          'profile-name',
          `Input profile-name has ${quoteValue(t.name)}, which holds ${problem} and so cannot go into the .xcconfig that export-options writes; rename the profile, or set export-options: false.`,
        );
      }
    }
  }
  return { enabled, xcodeVersion, extra };
}

/** The ExportOptions.plist and .xcconfig for the converged profiles (nothing on a dry run or when export-options is off). */
async function handOver(i: ProfileInputs, reports: readonly ProfileReport[], ctx: RunContext, known: CertificateName | undefined): Promise<HandOverResult> {
  if (!i.handOver.enabled) return { exportOptionsPath: '', xcconfigPath: '' };
  if (i.dryRun) {
    ctx.log.info('Dry run: no ExportOptions.plist or .xcconfig written.');
    return { exportOptionsPath: '', xcconfigPath: '' };
  }
  return handOverToXcode(
    {
      profileType: i.profileType,
      profiles: reports.map((r) => ({ bundleId: r.bundleId, profileName: r.profileName, content: r.content })),
      known,
      xcode: i.handOver.xcodeVersion ?? (await detectXcodeVersion(ctx.log)),
      extra: i.handOver.extra,
      parentDir: process.env['RUNNER_TEMP'] || tmpdir(),
    },
    ctx.log,
  );
}

/** `known`: the certificate the step installed (provision), named exactly in the export options. */
export async function runProfileAction(i: ProfileInputs, ctx: RunContext, rotate: boolean, known?: CertificateName): Promise<ActionResult> {
  const http = createAppleClient(i.apple, clientDeps(ctx));
  const { reports, notes } = await ensureProfiles(http, i, ctx.log, { rotate, now: new Date() });
  ctx.log.info(budgetLine(http));
  const files = await handOver(i, reports, ctx, known);
  const action = rotate ? 'rotate-profile' : 'ensure-profile';
  const written = [files.exportOptionsPath, files.xcconfigPath].filter((p) => p !== '');
  return {
    outputs: { ...outputsFor(reports, rotate), 'export-options-path': files.exportOptionsPath, 'xcconfig-path': files.xcconfigPath },
    summary: {
      heading: i.dryRun ? `${action} (dry run: nothing changed)` : action,
      rows: summaryRows(reports, i.dryRun),
      notes: [...notes, ...(written.length > 0 ? [`For xcodebuild: ${written.join(' and ')}.`] : [])],
    },
  };
}

/** The `profiles` output: one object per bundle ID, camelCase, without the bytes. */
function profilesJson(reports: readonly ProfileReport[]): string {
  return JSON.stringify(reports.map(({ content: _content, paths: _paths, ...rest }) => rest));
}

function outputsFor(reports: readonly ProfileReport[], rotate: boolean): Record<string, string | boolean> {
  const first = reports[0];
  const out: Record<string, string | boolean> = {
    'profile-id': first?.profileId ?? '',
    'profile-uuid': first?.profileUuid ?? '',
    'profile-name': first?.profileName ?? '',
    'profile-type': first?.profileType ?? '',
    'profile-path': first?.profilePath ?? '',
    'expiration-date': first?.expirationDate ?? '',
    'team-id': first?.teamId ?? '',
    created: first?.created ?? false,
    decision: first?.decision ?? '',
    'profile-base64': first?.content ?? '',
    profiles: profilesJson(reports),
  };
  if (rotate) out['previous-uuid'] = first?.previousUuid ?? '';
  return out;
}

const VERB: Record<ProfileDecision['action'], [string, string]> = {
  keep: ['kept', 'would keep'],
  create: ['created', 'would create'],
  recreate: ['recreated', 'would recreate'],
};

function summaryRows(reports: readonly ProfileReport[], dryRun: boolean): string[][] {
  return [
    ['Bundle ID', 'Profile', 'Decision', 'Reason', 'UUID', 'Expires'],
    ...reports.map((r) => [
      r.bundleId,
      r.profileName,
      VERB[r.decision][dryRun ? 1 : 0],
      r.reason,
      r.profileUuid,
      r.expirationDate ? formatDate(r.expirationDate) : '',
    ]),
  ];
}

export const ensureProfile: ActionDefinition<ProfileInputs> = {
  parse: parseProfileInputs,
  execute: (i, ctx) => runProfileAction(i, ctx, false),
};
