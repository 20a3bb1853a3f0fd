/**
 * The ensure-bundle-id workflow: read and translate the entitlements (before any request), list the
 * bundle IDs with their capabilities in one request, create the missing ones, plan and print the changes
 * with their reasons, apply them (unless dry-run), and report the profiles the change invalidates and
 * the steps only the portal can do.
 */
import { exactBundleId, profilesOfBundleId } from '../apple/bundle-ids.js';
import { capabilitiesOf, listBundleIdsWithCapabilities } from '../apple/capabilities.js';
import type { ApiKind } from '../apple/api.js';
import type { BundleIdCapability, BundleIdPlatform } from '../apple/types.js';
import type { AppleHttpClient } from '../core/http.js';
import type { Logger } from '../core/log.js';
import { mergeWanted, namedList, type WantedCapability } from '../entitlements/capabilities.js';
import { loadEntitlements } from '../entitlements/load.js';
import { applyCapabilityChanges, createBundleIdOnce } from './apply.js';
import { planCapabilities, type CapabilityChange } from './plan.js';

interface BundleIdTarget {
  identifier: string;
  /** The name for a new bundle ID. */
  name: string;
  /** Its .entitlements files. */
  entitlementsFiles: string[];
}

export interface EnsureBundleIdsRequest {
  api: ApiKind;
  targets: BundleIdTarget[];
  /** The platform of a new bundle ID. */
  platform: BundleIdPlatform;
  /** The `capabilities` input: asked for every target. */
  capabilities: WantedCapability[];
  removeUnlisted: boolean;
  dryRun: boolean;
}

export interface BundleIdReport {
  identifier: string;
  /** Apple's id ('' when a dry run would create it). */
  id: string;
  created: boolean;
  added: string[];
  removed: string[];
  updated: string[];
  /** Profiles of the bundle ID made before the change: Apple invalidates them ("name (id)"). */
  invalidatedProfiles: string[];
  manualSteps: string[];
  /** Not part of the JSON: the plan with reasons. */
  changes: CapabilityChange[];
}

function describe(c: CapabilityChange): string {
  return `${c.action} ${c.type}${c.settings.length > 0 ? `(${c.settings.map((s) => `${s.key}=${s.option}`).join(', ')})` : ''}: ${c.reason}`;
}

export async function ensureBundleIds(http: AppleHttpClient, r: EnsureBundleIdsRequest, log: Logger): Promise<BundleIdReport[]> {
  const asked = await Promise.all(
    r.targets.map(async (t) => {
      const loaded = await loadEntitlements(t.entitlementsFiles, t.identifier);
      const wanted: WantedCapability[] = [];
      for (const w of loaded.translation.capabilities) mergeWanted(wanted, w);
      for (const w of r.capabilities) mergeWanted(wanted, w);
      const unknown = loaded.translation.unknownKeys;
      if (unknown.length > 0) {
        log.warning(
          `Entitlement${unknown.length > 1 ? 's' : ''} ${namedList(unknown)} (for ${t.identifier}) ${unknown.length > 1 ? 'are' : 'is'} not one apple-signing-actions knows, so no capability was enabled for ${unknown.length > 1 ? 'them' : 'it'}; if one needs a capability, enable it on the portal or name it in capabilities.`,
          'Unknown entitlement',
        );
      }
      return { target: t, wanted, manualSteps: loaded.translation.manualSteps };
    }),
  );
  const listed = await listBundleIdsWithCapabilities(
    http,
    r.targets.map((t) => t.identifier),
  );
  const reports: BundleIdReport[] = [];
  for (const { target, wanted, manualSteps } of asked) {
    const found = exactBundleId(
      listed.map((l) => l.bundleId),
      target.identifier,
    );
    const report: BundleIdReport = {
      identifier: target.identifier,
      id: found?.id ?? '',
      created: false,
      added: [],
      removed: [],
      updated: [],
      invalidatedProfiles: [],
      manualSteps,
      changes: [],
    };
    let existing: BundleIdCapability[] = found ? (listed.find((l) => l.bundleId === found)?.capabilities ?? []) : [];
    if (!found) {
      if (r.dryRun) {
        log.info(`${target.identifier}: would create bundle ID '${target.name}' (${r.platform}).`);
      } else {
        const made = await createBundleIdOnce(http, { identifier: target.identifier, name: target.name, platform: r.platform }, log);
        log.info(`${target.identifier}: created bundle ID ${made.id} '${target.name}' (${r.platform}).`);
        Object.assign(report, { id: made.id, created: true });
        existing = await capabilitiesOf(http, made.id);
      }
    }
    const changes = planCapabilities({ existing, wanted, removeUnlisted: r.removeUnlisted });
    report.changes = changes;
    for (const c of changes) (c.action === 'add' ? report.added : c.action === 'update' ? report.updated : report.removed).push(c.type);
    if (changes.length === 0) log.info(`${target.identifier}: capabilities match (${wanted.length} asked for, ${existing.length} on Apple).`);
    for (const c of changes) log.info(`${target.identifier}: ${r.dryRun ? 'would ' : ''}${describe(c)}`);
    if (changes.length > 0 && found) {
      report.invalidatedProfiles = (await profilesOfBundleId(http, found.id)).map((p) => `${p.attributes?.name ?? ''} (${p.id})`);
      if (report.invalidatedProfiles.length > 0) {
        log.warning(
          `${r.dryRun ? 'Changing' : 'Changed'} the capabilities of ${target.identifier} ${r.dryRun ? 'would invalidate' : 'invalidates'} its profiles ${report.invalidatedProfiles.join(', ')}; ensure-profile (or provision) recreates them with the new entitlements.`,
          'Profiles invalidated',
        );
      }
    }
    if (!r.dryRun && report.id !== '') await applyCapabilityChanges(http, report.id, changes, log);
    for (const step of manualSteps) log.warning(step, 'Manual step');
    reports.push(report);
  }
  return reports;
}
