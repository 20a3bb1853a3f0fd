// Which handler serves a request: an API has an operation exactly when its OpenAPI spec declares it
// (so Enterprise has no PATCH /v1/certificates/{id}, and nobody has DELETE /v1/devices/{id}).
import type { Route } from './context.js';
import type { QuerySpec } from './query.js';
import { bundleIdRoutes } from './resources/bundle-ids.js';
import { capabilityRoutes } from './resources/capabilities.js';
import { certificateRoutes } from './resources/certificates.js';
import { deviceRoutes } from './resources/devices.js';
import { profileRoutes } from './resources/profiles.js';
import { SPEC_OPERATIONS } from './spec-params.js';
import type { ApiKind } from './types.js';

const ROUTES: readonly Route[] = [...deviceRoutes, ...bundleIdRoutes, ...capabilityRoutes, ...certificateRoutes, ...profileRoutes];

export type RouteMatch =
  { kind: 'found'; route: Route; params: Record<string, string>; querySpec: QuerySpec } | { kind: 'not-found' } | { kind: 'method-not-allowed' };

function matchPattern(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? '';
    const g = got[i] ?? '';
    const m = /^\{(\w+)\}$/.exec(w);
    if (m?.[1]) {
      if (g === '') return undefined;
      try {
        params[m[1]] = decodeURIComponent(g);
      } catch {
        return undefined;
      }
    } else if (w !== g) return undefined;
  }
  return params;
}

export function matchRoute(api: ApiKind, method: string, path: string): RouteMatch {
  const operations = SPEC_OPERATIONS[api];
  let pathKnown = false;
  for (const route of ROUTES) {
    const params = matchPattern(route.pattern, path);
    if (!params) continue;
    const hasAnyOperation = Object.keys(operations).some((op) => op.endsWith(` ${route.pattern}`));
    if (!hasAnyOperation) continue;
    pathKnown = true;
    const querySpec = operations[`${route.method} ${route.pattern}`];
    if (route.method === method && querySpec) return { kind: 'found', route, params, querySpec };
  }
  return pathKnown ? { kind: 'method-not-allowed' } : { kind: 'not-found' };
}
