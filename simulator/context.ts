// What handlers see: the simulator's environment and the request being served.
import type { SimCa } from './ca.js';
import type { IdGenerator } from './ids.js';
import type { ParsedQuery } from './query.js';
import type { Account, Store } from './store.js';
import type { ApiKind } from './types.js';

export interface SimEnv {
  teamId: string;
  teamName: string;
  now: () => Date;
  ids: IdGenerator;
  ca: SimCa;
  store: Store;
  deviceYearlyLimit: number | null;
  immediateDevices: number;
  /** Current certificates allowed of one type. */
  certificateLimit: (certificateType: string) => number;
  allowDeveloperIdCertificateCreation: boolean;
  rejectedCertificateTypeFilters: readonly string[];
  defaultIncludeLimit: number;
}

export interface RequestContext {
  env: SimEnv;
  api: ApiKind;
  account: Account;
  method: string;
  /** The full request URL, with the origin the client used. */
  url: URL;
  origin: string;
  /** Path parameters, e.g. { id }. */
  params: Readonly<Record<string, string>>;
  query: ParsedQuery;
  body: unknown;
}

export interface Reply {
  status: number;
  body?: unknown;
}

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** e.g. '/v1/devices/{id}', as in the spec; an API has the route when its spec has the operation. */
  pattern: string;
  handle(ctx: RequestContext): Reply | Promise<Reply>;
}

export function param(ctx: RequestContext, name: string): string {
  const v = ctx.params[name];
  if (v === undefined) throw new Error(`route has no path parameter ${name}`);
  return v;
}
