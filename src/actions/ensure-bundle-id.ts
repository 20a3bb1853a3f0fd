/**
 * ensure-bundle-id: makes the bundle IDs exist and carry the capabilities their entitlements (and the
 * capabilities input) ask for, reports the profiles the change invalidates and the steps left to the portal.
 */
import { createAppleClient, type AppleApiConfig } from '../apple/client.js';
import { ensureBundleIds, type BundleIdReport, type EnsureBundleIdsRequest } from '../bundle-ids/ensure.js';
import { deriveBundleIdName } from '../bundle-ids/plan.js';
import { InputError } from '../core/errors.js';
import type { ActionDefinition, ActionResult, RunContext } from './support/action-runner.js';
import { readAppleApiInputs } from './support/apple-inputs.js';
import { bundleIdentifiers, capabilitiesInput, entitlementsInput } from './support/bundle-id-inputs.js';
import { budgetLine, clientDeps } from './support/client-deps.js';
import { booleanInput, oneOf, type InputSource } from './support/inputs.js';

export interface EnsureBundleIdInputs extends EnsureBundleIdsRequest {
  apple: AppleApiConfig;
}

function names(src: InputSource, identifiers: readonly string[]): string[] {
  const given = src
    .get('name')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (given.length === 0) return identifiers.map(deriveBundleIdName);
  if (given.length !== identifiers.length) {
    throw new InputError(
      'name',
      `Input name gives ${given.length} name(s) for ${identifiers.length} bundle ID(s); give one a line in the order of bundle-id, or leave it empty to derive them.`,
    );
  }
  for (const n of given) {
    if (!/^[A-Za-z0-9 ]+$/.test(n)) {
      throw new InputError(
        'name',
        `Input name has '${n}', but Apple allows only letters, digits and spaces in a bundle ID's name, e.g. '${deriveBundleIdName(n)}'.`,
      );
    }
  }
  return given;
}

export function parseEnsureBundleIdInputs(src: InputSource): EnsureBundleIdInputs {
  const apple = readAppleApiInputs(src);
  const identifiers = bundleIdentifiers(src);
  const platform = oneOf(src, 'platform', ['IOS', 'MAC_OS', 'UNIVERSAL'] as const, 'IOS', { ios: 'IOS', macos: 'MAC_OS', mac: 'MAC_OS', mac_os: 'MAC_OS' });
  if (platform === 'UNIVERSAL' && apple.api === 'enterprise') {
    throw new InputError('platform', 'Input platform is UNIVERSAL, which the Enterprise Program API does not offer; use IOS or MAC_OS.');
  }
  const files = entitlementsInput(src, identifiers);
  const capabilities = capabilitiesInput(src);
  const removeUnlisted = booleanInput(src, 'remove-unlisted', false);
  if (removeUnlisted && capabilities.length === 0 && [...files.values()].every((f) => f.length === 0)) {
    throw new InputError(
      'remove-unlisted',
      'Input remove-unlisted is true but neither entitlements nor capabilities is given, which would remove every capability; give what the app needs, or leave remove-unlisted false.',
    );
  }
  const nameList = names(src, identifiers);
  return {
    apple,
    api: apple.api,
    targets: identifiers.map((identifier, i) => ({ identifier, name: nameList[i] as string, entitlementsFiles: files.get(identifier) ?? [] })),
    platform,
    capabilities,
    removeUnlisted,
    dryRun: booleanInput(src, 'dry-run', false),
  };
}

function bundleIdsJson(reports: readonly BundleIdReport[]): string {
  return JSON.stringify(reports.map(({ changes: _changes, ...rest }) => rest));
}

export async function executeEnsureBundleId(i: EnsureBundleIdInputs, ctx: RunContext): Promise<ActionResult> {
  const http = createAppleClient(i.apple, clientDeps(ctx));
  const reports = await ensureBundleIds(http, i, ctx.log);
  ctx.log.info(budgetLine(http));
  const manualSteps = [...new Set(reports.flatMap((r) => r.manualSteps))];
  const changed = reports.filter((r) => r.changes.length > 0).length;
  const would = i.dryRun ? 'would ' : '';
  return {
    outputs: {
      'bundle-ids': bundleIdsJson(reports),
      created: reports.filter((r) => r.created).length,
      changed,
      'manual-steps': JSON.stringify(manualSteps),
    },
    summary: {
      heading: i.dryRun ? 'ensure-bundle-id (dry run: nothing changed)' : 'ensure-bundle-id',
      rows: [
        ['Bundle ID', 'Id', 'Created', 'Changes', 'Invalidated profiles'],
        ...reports.map((r) => [
          r.identifier,
          r.id,
          r.created ? 'yes' : r.id === '' ? `${would}create` : 'no',
          r.changes.map((c) => `${would}${c.action} ${c.type}: ${c.reason}`).join('; ') || 'none',
          r.invalidatedProfiles.join(', '),
        ]),
      ],
      notes: [`${reports.filter((r) => r.created).length} created, ${changed} ${would}change capabilities.`, ...manualSteps.map((s) => `Manual step: ${s}`)],
    },
  };
}

export const ensureBundleId: ActionDefinition<EnsureBundleIdInputs> = {
  parse: parseEnsureBundleIdInputs,
  execute: executeEnsureBundleId,
};
