// Test helpers for the simulator: hand-made JWTs (so every field can be broken on purpose) and raw HTTP
// calls with undici. No client code from src/ is used.
import { createPrivateKey, sign } from 'node:crypto';
import { request, type Dispatcher } from 'undici';
import type { ApiKeyCredentials, Simulator } from '../../simulator/index.js';
import { describeRecord, validateResponse } from '../support/openapi.js';

export const AUD = { 'app-store-connect': 'appstoreconnect-v1', enterprise: 'apple-developer-enterprise-v1' } as const;

const b64url = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

export interface TokenOptions {
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
  /** Claims to leave out. */
  omit?: string[];
  /** Unix seconds to treat as now. */
  now?: number;
  /** Sign with this PEM instead of the key's own. */
  signWith?: string;
}

/** An ES256 JWT as Apple wants it for this key, with any field overridden or removed. */
export function makeToken(key: ApiKeyCredentials, o: TokenOptions = {}): string {
  const now = o.now ?? Math.floor(Date.now() / 1000);
  const header = { alg: 'ES256', kid: key.keyId, typ: 'JWT', ...o.header };
  const claims: Record<string, unknown> = { aud: AUD[key.api], iat: now, exp: now + 600, ...o.claims };
  if (key.kind === 'team') claims['iss'] ??= key.issuerId;
  else claims['sub'] ??= 'user';
  for (const k of o.omit ?? []) delete claims[k];
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
  const input = `${b64url(header)}.${b64url(claims)}`;
  const sig = sign('sha256', Buffer.from(input), { key: createPrivateKey(o.signWith ?? key.privateKeyPem), dsaEncoding: 'ieee-p1363' });
  return `${input}.${sig.toString('base64url')}`;
}

export interface Response {
  status: number;
  headers: Record<string, string>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON under test, inspected field by field
  text: string;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Sent as is (with content-type application/json), instead of `body`. */
  rawBody?: string;
  dispatcher?: Dispatcher;
  headers?: Record<string, string>;
}

/** One request to the simulator; `pathOrUrl` may be a path or an absolute URL (links.next). */
export async function call(sim: Simulator, key: ApiKeyCredentials | undefined, method: string, pathOrUrl: string, o: CallOptions = {}): Promise<Response> {
  const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${sim.url}${pathOrUrl}`;
  const headers: Record<string, string> = { ...o.headers };
  const token = o.token ?? (key ? makeToken(key) : undefined);
  if (token) headers['authorization'] = `Bearer ${token}`;
  const payload = o.rawBody ?? (o.body !== undefined ? JSON.stringify(o.body) : undefined);
  if (payload !== undefined) headers['content-type'] = 'application/json';
  const res = await request(url, {
    method: method as Dispatcher.HttpMethod,
    headers,
    ...(payload !== undefined ? { body: payload } : {}),
    ...(o.dispatcher ? { dispatcher: o.dispatcher } : {}),
  });
  const text = await res.body.text();
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
  return { status: res.statusCode, headers: flat, body: text ? JSON.parse(text) : undefined, text };
}

export const deviceBody = (udid: string, name = `Device ${udid.slice(0, 6)}`, platform = 'IOS') => ({
  data: { type: 'devices', attributes: { name, udid, platform } },
});

export const profileBody = (name: string, profileType: string, bundleId: string, certificateIds: string[], deviceIds?: string[]) => ({
  data: {
    type: 'profiles',
    attributes: { name, profileType },
    relationships: {
      bundleId: { data: { type: 'bundleIds', id: bundleId } },
      certificates: { data: certificateIds.map((id) => ({ type: 'certificates', id })) },
      ...(deviceIds ? { devices: { data: deviceIds.map((id) => ({ type: 'devices', id })) } } : {}),
    },
  },
});

/** A 40-hex legacy UDID from a number. */
export const udid40 = (n: number): string => n.toString(16).padStart(40, '0');

/**
 * Problems with the simulator's responses, judged by Apple's OpenAPI specs (test/support/openapi.ts).
 * Dropped connections and answers to operations the spec lacks (405, unknown paths) are left out.
 */
export function responseProblems(sim: Simulator): string[] {
  return sim.requests
    .filter(
      (r) =>
        r.status !== 0 &&
        r.status !== 405 &&
        !(r.status === 404 && r.responseBody && JSON.stringify(r.responseBody).includes('does not match a defined resource')),
    )
    .flatMap((r) => validateResponse(r).map((p) => `${describeRecord(r)}: ${p}`));
}
