/** /v1/bundleIdCapabilities and a bundle ID's capabilities (facts.md §1.10; ids are opaque). */
import type { AppleHttpClient } from '../core/http.js';
import type { CapabilityType } from './capability-types.js';
import type { BundleId, BundleIdCapability } from './types.js';

/** Capabilities of a bundle ID are at most the 28 types, well within one include. */
const CAPABILITY_INCLUDE_LIMIT = 50;

export interface BundleIdWithCapabilities {
  bundleId: BundleId;
  capabilities: BundleIdCapability[];
}

/**
 * Bundle IDs whose identifier Apple's (prefix) filter matches, each with its capabilities, in one paged
 * listing; narrow to the exact identifier with `exactBundleId`.
 */
export async function listBundleIdsWithCapabilities(http: AppleHttpClient, identifiers: readonly string[]): Promise<BundleIdWithCapabilities[]> {
  const { data, included } = await http.all<BundleId, BundleIdCapability>('/v1/bundleIds', {
    'filter[identifier]': identifiers,
    include: ['bundleIdCapabilities'],
    'limit[bundleIdCapabilities]': CAPABILITY_INCLUDE_LIMIT,
  });
  const byId = new Map(included.filter((r) => r.type === 'bundleIdCapabilities').map((c) => [c.id, c]));
  return Promise.all(
    data.map(async (bundleId) => {
      const rel = bundleId.relationships?.bundleIdCapabilities;
      const refs = rel?.data ?? [];
      const total = rel?.meta?.paging?.total;
      const linked = refs.map((r) => byId.get(r.id)).filter((c): c is BundleIdCapability => c !== undefined);
      // Linkage missing or short of Apple's total: read the list itself.
      const complete = rel?.data !== undefined && linked.length === refs.length && (total === undefined || total <= refs.length);
      return { bundleId, capabilities: complete ? linked : await capabilitiesOf(http, bundleId.id) };
    }),
  );
}

export async function capabilitiesOf(http: AppleHttpClient, bundleIdId: string): Promise<BundleIdCapability[]> {
  return (await http.all<BundleIdCapability>(`/v1/bundleIds/${encodeURIComponent(bundleIdId)}/bundleIdCapabilities`)).data;
}

/** A setting as Apple takes it: `{ key, options: [{ key }] }`. */
export interface SettingValue {
  key: string;
  option: string;
}

function settingsBody(settings: readonly SettingValue[]) {
  return settings.map((s) => ({ key: s.key, options: [{ key: s.option }] }));
}

export async function enableCapability(
  http: AppleHttpClient,
  bundleIdId: string,
  type: CapabilityType,
  settings: readonly SettingValue[],
): Promise<BundleIdCapability> {
  const body = {
    data: {
      type: 'bundleIdCapabilities',
      attributes: { capabilityType: type, ...(settings.length > 0 ? { settings: settingsBody(settings) } : {}) },
      relationships: { bundleId: { data: { type: 'bundleIds', id: bundleIdId } } },
    },
  };
  return (await http.post<{ data: BundleIdCapability }>('/v1/bundleIdCapabilities', body)).body.data;
}

export async function updateCapability(http: AppleHttpClient, id: string, settings: readonly SettingValue[]): Promise<BundleIdCapability> {
  const body = { data: { type: 'bundleIdCapabilities', id, attributes: { settings: settingsBody(settings) } } };
  return (await http.patch<{ data: BundleIdCapability }>(`/v1/bundleIdCapabilities/${encodeURIComponent(id)}`, body)).body.data;
}

export async function disableCapability(http: AppleHttpClient, id: string): Promise<void> {
  await http.delete(`/v1/bundleIdCapabilities/${encodeURIComponent(id)}`);
}

/** The option a capability's setting has on Apple: the one marked enabled, or the only one listed. */
export function settingOption(c: BundleIdCapability, key: string): string | undefined {
  const setting = c.attributes?.settings?.find((s) => s.key === key);
  const options = setting?.options ?? [];
  return (options.find((o) => o.enabled === true) ?? (options.length === 1 ? options[0] : undefined))?.key;
}
