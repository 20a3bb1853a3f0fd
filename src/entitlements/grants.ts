/**
 * Whether a profile grants what an app's entitlements ask for, compared by meaning (interface.md):
 * Xcode's build variables expand to the profile's own prefixes, Apple's wildcards (`*`, `TEAM.*`) grant
 * everything they cover, and `aps-environment` is satisfied by the profile's own value (Xcode's file says
 * `development` even for App Store builds; export signs with the profile's). Only keys that need an API
 * capability are compared; the others are the business of the build, not the profile.
 */
import type { PlistValue } from '../core/plist.js';
import { capabilityFor } from './capabilities.js';
import type { Entitlements } from './read.js';

export interface ProfileSide {
  entitlements: Entitlements;
  /** TeamIdentifier, for `$(TeamIdentifierPrefix)`. */
  teamId: string;
  /** ApplicationIdentifierPrefix, for `$(AppIdentifierPrefix)`. */
  appIdPrefix: string;
  /** The bundle identifier, for `$(PRODUCT_BUNDLE_IDENTIFIER)`. */
  identifier: string;
}

export interface EntitlementGap {
  key: string;
  /** `missing`: the profile has no such key (it predates the capability); `values`: it lacks some values. */
  kind: 'missing' | 'values';
  /** For `values`: what the app asks that the profile does not grant. */
  values: string[];
}

const ENVIRONMENT_KEYS = new Set(['aps-environment', 'com.apple.developer.aps-environment']);

function expand(value: string, p: ProfileSide): string {
  return value
    .replace(/\$[({]TeamIdentifierPrefix[)}]/g, `${p.teamId}.`)
    .replace(/\$[({]AppIdentifierPrefix[)}]/g, `${p.appIdPrefix}.`)
    .replace(/\$[({]PRODUCT_BUNDLE_IDENTIFIER[)}]/g, p.identifier);
}

function grantedBy(pattern: string, value: string): boolean {
  if (pattern === '*' || pattern === value) return true;
  return pattern.endsWith('*') && value.startsWith(pattern.slice(0, -1));
}

function strings(v: PlistValue): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return undefined;
}

function gapOf(key: string, asked: PlistValue, granted: PlistValue | undefined, p: ProfileSide): EntitlementGap | undefined {
  if (asked === false) return undefined;
  if (granted === undefined || granted === false) return { key, kind: 'missing', values: [] };
  if (ENVIRONMENT_KEYS.has(key) || typeof asked === 'boolean') return undefined;
  const want = strings(asked);
  const have = strings(granted);
  if (!want || !have) return JSON.stringify(asked) === JSON.stringify(granted) ? undefined : { key, kind: 'values', values: [] };
  const lacking = want.map((v) => expand(v, p)).filter((v) => !have.some((h) => grantedBy(expand(h, p), v)));
  return lacking.length > 0 ? { key, kind: 'values', values: lacking } : undefined;
}

/** What the app asks for (keys that need a capability) that the profile does not grant. */
export function entitlementGaps(app: Entitlements, profile: ProfileSide): EntitlementGap[] {
  const out: EntitlementGap[] = [];
  for (const [key, asked] of Object.entries(app)) {
    if (!capabilityFor(key)) continue;
    const gap = gapOf(key, asked, Object.hasOwn(profile.entitlements, key) ? profile.entitlements[key] : undefined, profile);
    if (gap) out.push(gap);
  }
  return out;
}
