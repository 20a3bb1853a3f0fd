// The Apple Business API simulator (docs/apple-facts.md §3): its own HTTP server with the OAuth token endpoint,
// org devices, device management services and device activities, rate limiting, faults and a request log.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { FaultQueue } from '../faults.js';
import { BusinessOAuth } from './oauth.js';
import { errorBody } from './resources.js';
import { route } from './routes.js';
import { BusinessStore } from './store.js';
import type {
  ActivityOutcome,
  BusinessAccount,
  BusinessFaultSpec,
  BusinessRequestRecord,
  BusinessScope,
  BusinessSimulatorOptions,
  BusinessState,
  MdmServerRecord,
  OrgDeviceRecord,
} from './types.js';

export type * from './types.js';

const TOKEN_PATH = '/auth/oauth2/token';

export interface BusinessSimulator {
  /** API origin (without /v1): pass as api-base-url. */
  url: string;
  /** Full token URL: pass as token-url. */
  tokenUrl: string;
  addAccount(opts?: { scope?: BusinessScope }): BusinessAccount;
  seed: {
    device(d: Partial<OrgDeviceRecord> & { serialNumber: string }): OrgDeviceRecord;
    mdmServer(s: Partial<MdmServerRecord> & { serverName: string }): MdmServerRecord;
  };
  /** The next activity ends FAILED (default), STOPPED, or COMPLETED with `failSerials` left unchanged. */
  failNextActivity(outcome?: Partial<ActivityOutcome>): void;
  state(): BusinessState;
  /** Every access token issued so far is refused from now on. */
  expireTokens(): void;
  /** Client assertions received and access tokens issued, for leak scans. */
  issued(): { clientAssertions: string[]; accessTokens: string[] };
  faults: { add(f: BusinessFaultSpec): void; clear(): void };
  requests: BusinessRequestRecord[];
  clearRequests(): void;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { ...(text ? { 'content-type': 'application/json' } : {}), 'x-request-id': crypto.randomUUID(), ...headers });
  res.end(text);
}

export async function startBusinessSimulator(opts: BusinessSimulatorOptions = {}): Promise<BusinessSimulator> {
  const now = opts.now ?? (() => new Date());
  const store = new BusinessStore(now, Math.max(1, opts.pollsToComplete ?? 2));
  const oauth = new BusinessOAuth(now, opts.tokenLifetimeSeconds ?? 3600);
  const faults = new FaultQueue<BusinessFaultSpec>();
  const requests: BusinessRequestRecord[] = [];
  const hits = new Map<string, number[]>();
  let origin = '';

  /** Spends one request of the client's per-minute budget; the seconds to wait when it is spent. */
  function rateLimited(clientId: string): number | undefined {
    if (opts.rateLimitPerMinute === undefined) return undefined;
    const t = now().getTime();
    const recent = (hits.get(clientId) ?? []).filter((h) => h > t - 60_000);
    hits.set(clientId, recent);
    if (recent.length >= opts.rateLimitPerMinute) return Math.max(1, Math.ceil(((recent[0] ?? t) + 60_000 - t) / 1000));
    recent.push(t);
    return undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname;
    const text = await readBody(req);
    const rec: BusinessRequestRecord = { method, path, query: Object.fromEntries(url.searchParams), status: 0 };
    requests.push(rec);
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      rec.status = status;
      if (body !== undefined) rec.responseBody = body;
      send(res, status, body, headers);
    };

    const active = faults.take(method, path);
    const fault = active?.spec;
    if (active && fault) {
      rec.fault = active.name;
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.drop) {
        req.socket.destroy();
        return;
      }
      if (fault.status !== undefined) {
        const headers: Record<string, string> = fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {};
        const body =
          path === TOKEN_PATH
            ? { error: fault.status === 429 ? 'rate_limited' : 'server_error' }
            : fault.status === 429
              ? errorBody(
                  429,
                  'RATE_LIMIT_EXCEEDED',
                  'The request rate limit has been reached.',
                  "We've received too many requests for this API. Please wait and try again or slow down your request rate.",
                )
              : fault.status === 401
                ? errorBody(
                    401,
                    'NOT_AUTHORIZED',
                    'Authentication credentials are missing or invalid.',
                    'Provide a properly configured and signed bearer token, and make sure that it has not expired.',
                  )
                : errorBody(fault.status, 'UNEXPECTED_ERROR', 'An unexpected error occurred.', 'The server encountered an unexpected error.');
        answer(fault.status, body, headers);
        return;
      }
    }

    if (path === TOKEN_PATH) {
      if (method !== 'POST') return answer(405, { error: 'invalid_request' });
      // Apple's curl example puts the parameters in the query; clients send a form body. Accept both.
      const form = new URLSearchParams(url.search);
      for (const [k, v] of new URLSearchParams(text)) form.set(k, v);
      const a = await oauth.token(form);
      rec.body = Object.fromEntries([...form].map(([k, v]) => [k, k === 'client_assertion' ? '[redacted]' : v]));
      if (a.reason) rec.authError = a.reason;
      if (a.clientId) rec.clientId = a.clientId;
      const shown = a.status === 200 ? { ...a.body, access_token: '[redacted]' } : a.body;
      rec.status = a.status;
      rec.responseBody = shown;
      send(res, a.status, a.body, { 'cache-control': 'no-store' });
      return;
    }

    if (!path.startsWith('/v1/')) return answer(404, errorBody(404, 'NOT_FOUND', "The specified resource doesn't exist", `No route for ${path}`));
    const auth = oauth.bearer(req.headers.authorization);
    if (!auth.ok) {
      rec.authError = auth.reason;
      return answer(
        401,
        errorBody(
          401,
          'NOT_AUTHORIZED',
          'Authentication credentials are missing or invalid.',
          'Provide a properly configured and signed bearer token, and make sure that it has not expired.',
        ),
      );
    }
    rec.clientId = auth.clientId;
    const wait = rateLimited(auth.clientId);
    if (wait !== undefined) {
      return answer(
        429,
        errorBody(
          429,
          'RATE_LIMIT_EXCEEDED',
          'The request rate limit has been reached.',
          "We've received too many requests for this API. Please wait and try again or slow down your request rate.",
        ),
        {
          'retry-after': String(wait),
        },
      );
    }
    let body: unknown;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        rec.body = text;
        return answer(400, errorBody(400, 'PARAMETER_ERROR.INVALID', 'The request body is not valid JSON', 'The request body could not be parsed as JSON.'));
      }
      rec.body = body;
    }
    const r = route(store, origin, method, path, url.searchParams, body, (id, n) => opts.onActivityPoll?.(id, n), now());
    answer(r.status, r.body);
  }

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, errorBody(500, 'UNEXPECTED_ERROR', 'An unexpected error occurred.', String(err)));
    });
  };
  const server = opts.tls ? createHttpsServer({ cert: opts.tls.certPem, key: opts.tls.keyPem }, listener) : createServer(listener);
  // As the App Store Connect simulator: idle sockets are the client's to close (a race otherwise); close() ends them.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const { address, port } = server.address() as AddressInfo;
  origin = `${opts.tls ? 'https' : 'http'}://${address.includes(':') ? `[${address}]` : address}:${port}`;

  return {
    url: origin,
    tokenUrl: `${origin}${TOKEN_PATH}`,
    addAccount: (o = {}) => oauth.addAccount(o.scope),
    seed: {
      device: (d) => store.addDevice(d),
      mdmServer: (s) => store.addServer(s),
    },
    failNextActivity: (o) => store.failNextActivity(o),
    state: () => store.state(),
    expireTokens: () => oauth.expireTokens(),
    issued: () => ({ clientAssertions: [...oauth.assertionsSeen], accessTokens: [...oauth.accessTokens] }),
    faults: { add: (f) => faults.add(f), clear: () => faults.clear() },
    requests,
    clearRequests: () => void requests.splice(0),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
