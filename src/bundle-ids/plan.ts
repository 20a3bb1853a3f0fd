/**
 * What ensure-bundle-id changes on one bundle ID, as a pure function of its capabilities on Apple and
 * the capabilities asked for: add what is missing, update a setting that differs, and (only with
 * remove-unlisted) remove what was not asked for, never the capabilities Apple enables on every new
 * App ID, so that a second run has nothing to do. Each change carries its reason.
 */
import { settingOption } from '../apple/capabilities.js';
import type { BundleIdCapability } from '../apple/types.js';
import type { CapabilityType } from '../apple/capability-types.js';
import { DEFAULT_CAPABILITIES, type CapabilitySetting, type WantedCapability } from '../entitlements/capabilities.js';

export interface CapabilityChange {
  action: 'add' | 'update' | 'remove';
  type: CapabilityType;
  /** add/update: the settings to send. */
  settings: CapabilitySetting[];
  /** update/remove: Apple's id of the capability. */
  capabilityId?: string;
  reason: string;
}

export interface CapabilityPlanInput {
  existing: readonly BundleIdCapability[];
  wanted: readonly WantedCapability[];
  removeUnlisted: boolean;
}

function asked(w: WantedCapability): string {
  return `asked by ${w.because.join(', ')}`;
}

export function planCapabilities(input: CapabilityPlanInput): CapabilityChange[] {
  const changes: CapabilityChange[] = [];
  const byType = new Map(input.existing.map((c) => [c.attributes?.capabilityType, c]));
  for (const w of input.wanted) {
    const have = byType.get(w.type);
    if (!have) {
      changes.push({ action: 'add', type: w.type, settings: w.settings, reason: asked(w) });
      continue;
    }
    const differing = w.settings.filter((s) => settingOption(have, s.key) !== s.option);
    if (differing.length > 0) {
      const what = differing.map((s) => `${s.key} is ${settingOption(have, s.key) ?? 'unset'}, ${s.option} is asked`).join('; ');
      changes.push({ action: 'update', type: w.type, settings: w.settings, capabilityId: have.id, reason: `${what} (${asked(w)})` });
    }
  }
  if (input.removeUnlisted) {
    const wanted = new Set(input.wanted.map((w) => w.type));
    for (const c of input.existing) {
      const type = c.attributes?.capabilityType;
      if (!type || wanted.has(type) || DEFAULT_CAPABILITIES.has(type)) continue;
      changes.push({ action: 'remove', type, settings: [], capabilityId: c.id, reason: 'not asked for (remove-unlisted)' });
    }
  }
  return changes;
}

/** Apple allows letters, digits and spaces in a bundle ID's name: `com.example.app-widget` -> `com example app widget`. */
export function deriveBundleIdName(identifier: string): string {
  const name = identifier
    .replace(/[^A-Za-z0-9 ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return name === '' ? 'Wildcard' : name;
}
