/**
 * /v1/bundleIds, looked up by exact identifier. Apple's `filter[identifier]` is not exact
 * (`com.example.app` also returns `com.example.app.widget`, docs/apple-facts.md §1.8), so results are always
 * narrowed client-side to `identifier === wanted`, case-sensitively.
 */
import type { AppleHttpClient } from '../core/http.js';
import type { BundleId, BundleIdPlatform, Profile } from './types.js';

/** Bundle IDs whose identifier Apple's filter matches (a superset of the exact ones); all of them without identifiers. */
export async function listBundleIds(http: AppleHttpClient, identifiers?: readonly string[]): Promise<BundleId[]> {
  const query = identifiers && identifiers.length > 0 ? { 'filter[identifier]': identifiers } : {};
  const { data } = await http.all<BundleId>('/v1/bundleIds', query);
  return data;
}

/** The bundle ID whose identifier is exactly `wanted`, if any. */
export function exactBundleId(list: readonly BundleId[], wanted: string): BundleId | undefined {
  return list.find((b) => b.attributes?.identifier === wanted);
}

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = prev[j] as number;
      prev[j] = Math.min(above + 1, (prev[j - 1] as number) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = above;
    }
  }
  return prev[b.length] as number;
}

/** Identifiers close to `wanted` (a different case, a typo, an extension or parent of it), closest first. */
export function closeIdentifiers(all: readonly string[], wanted: string, max = 3): string[] {
  const lower = wanted.toLowerCase();
  return [...new Set(all)]
    .filter((id) => id !== wanted)
    .map((id) => {
      const l = id.toLowerCase();
      const related = l === lower || l.startsWith(`${lower}.`) || lower.startsWith(`${l}.`);
      return { id, score: related ? 0 : distance(l, lower) };
    })
    .filter((c) => c.score <= Math.max(2, Math.floor(wanted.length / 5)))
    .sort((a, b) => a.score - b.score || a.id.localeCompare(b.id))
    .slice(0, max)
    .map((c) => c.id);
}

export async function createBundleId(http: AppleHttpClient, b: { identifier: string; name: string; platform: BundleIdPlatform }): Promise<BundleId> {
  const body = { data: { type: 'bundleIds', attributes: { identifier: b.identifier, name: b.name, platform: b.platform } } };
  return (await http.post<{ data: BundleId }>('/v1/bundleIds', body)).body.data;
}

/** The profiles made for a bundle ID (any state). */
export async function profilesOfBundleId(http: AppleHttpClient, bundleIdId: string): Promise<Profile[]> {
  return (await http.all<Profile>(`/v1/bundleIds/${encodeURIComponent(bundleIdId)}/profiles`)).data;
}
