// The request pipeline: record, faults, authentication, rate limit, routing, query validation, handler,
// and Apple's headers (X-Rate-Limit, X-Request-ID) on the way out.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Authenticator } from './auth.js';
import type { Reply, SimEnv } from './context.js';
import {
  ApiError,
  entityUnprocessable,
  errorForStatus,
  keyNotAllowed,
  methodNotAllowed,
  notAuthorized,
  pathNotFound,
  rateLimitExceeded,
  unexpectedError,
} from './errors.js';
import type { ActiveFault, FaultQueue } from './faults.js';
import { drop, parseBody, readBody, recordHeaders, send } from './http-io.js';
import { uuid } from './ids.js';
import { validateQuery } from './query.js';
import type { RateLimiter } from './rate-limit.js';
import { matchRoute } from './router.js';
import type { RequestRecord } from './types.js';

export interface PipelineDeps {
  env: SimEnv;
  auth: Authenticator;
  rate: RateLimiter;
  faults: FaultQueue;
  requests: RequestRecord[];
  scheme: 'http' | 'https';
  fallbackHost: () => string;
}

/** Apple's Provisioning resources, their sub-paths and relationships: closed to individual keys. */
const PROVISIONING_PATH = /^\/v1\/(devices|bundleIds|bundleIdCapabilities|certificates|profiles|passTypeIds|merchantIds)(\/|$)/;

interface Outcome extends Reply {
  headers: Record<string, string>;
}

export function createRequestHandler(deps: PipelineDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(deps, req, res).catch((e: unknown) => {
      process.stderr.write(`apple-api-simulator: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      send(res, 500, unexpectedError().toBody(), {});
    });
  };
}

async function handle(deps: PipelineDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = await readBody(req);
  const url = new URL(req.url ?? '/', `${deps.scheme}://${req.headers.host ?? deps.fallbackHost()}`);
  const method = (req.method ?? 'GET').toUpperCase();
  const parsed = parseBody(raw);
  const record: RequestRecord = {
    api: 'unknown',
    method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: recordHeaders(req),
    status: 0,
  };
  if (parsed) record.body = parsed.value;
  deps.requests.push(record);
  const authorization = req.headers.authorization;
  deps.auth.notePresented(authorization);
  const key = deps.auth.keyOf(authorization);
  if (key) {
    record.api = key.credentials.api;
    record.keyId = key.credentials.keyId;
  }

  const fault = deps.faults.take(method, url.pathname);
  if (fault) {
    record.fault = fault.name;
    if (fault.spec.delayMs) await sleep(fault.spec.delayMs);
    if (fault.spec.expireTokens) {
      deps.auth.expireSeenTokens();
      deps.auth.expireToken(authorization);
    }
    if (!fault.spec.afterCommit && failByFault(deps, fault, record, req, res, key?.credentials.keyId)) return;
  }

  const outcome = await serve(deps, record, url, parsed, authorization);
  if (fault?.spec.afterCommit && failByFault(deps, fault, record, req, res, key?.credentials.keyId)) return;
  record.status = outcome.status;
  if (outcome.body !== undefined) record.responseBody = outcome.body;
  send(res, outcome.status, outcome.body, outcome.headers);
}

/** Answers with the fault's status (or drops the connection); false when the fault only delays. */
function failByFault(
  deps: PipelineDeps,
  fault: ActiveFault,
  record: RequestRecord,
  req: IncomingMessage,
  res: ServerResponse,
  keyId: string | undefined,
): boolean {
  if (fault.spec.drop) {
    record.status = 0;
    drop(req, res);
    return true;
  }
  if (fault.spec.status === undefined) return false;
  const headers = baseHeaders(deps, keyId);
  if (fault.spec.retryAfter !== undefined) headers['Retry-After'] = String(fault.spec.retryAfter);
  const body = fault.spec.body !== undefined ? fault.spec.body : errorForStatus(fault.spec.status).toBody();
  record.status = fault.spec.status;
  record.responseBody = body;
  send(res, fault.spec.status, body, headers);
  return true;
}

function baseHeaders(deps: PipelineDeps, keyId: string | undefined): Record<string, string> {
  const headers: Record<string, string> = { 'X-Request-ID': uuid() };
  if (keyId) headers['X-Rate-Limit'] = deps.rate.header(keyId);
  return headers;
}

async function serve(
  deps: PipelineDeps,
  record: RequestRecord,
  url: URL,
  parsed: { value: unknown; json: boolean } | undefined,
  authorization: string | undefined,
): Promise<Outcome> {
  if (!url.pathname.startsWith('/v1/')) return errorOutcome(deps, pathNotFound(), undefined);
  const auth = await deps.auth.verify({ authorization, method: record.method, path: url.pathname, query: url.searchParams });
  if (!auth.ok) {
    record.authError = auth.reason;
    return errorOutcome(deps, notAuthorized(), auth.key?.credentials.keyId);
  }
  const keyId = auth.key.credentials.keyId;
  const api = auth.key.credentials.api;
  if (!deps.rate.take(keyId)) return errorOutcome(deps, rateLimitExceeded(), keyId);
  // Individual keys "aren't able to use Provisioning endpoints" (docs/apple-facts.md §1.1); the 403 is an assumption.
  if (auth.key.credentials.kind === 'individual' && PROVISIONING_PATH.test(url.pathname)) {
    return errorOutcome(deps, keyNotAllowed(), keyId);
  }
  try {
    const match = matchRoute(api, record.method, url.pathname);
    if (match.kind === 'not-found') throw pathNotFound();
    if (match.kind === 'method-not-allowed') throw methodNotAllowed();
    const query = validateQuery(url.searchParams, match.querySpec);
    if (parsed && !parsed.json) throw entityUnprocessable('The request entity is not valid JSON.');
    const reply = await match.route.handle({
      env: deps.env,
      api,
      account: deps.env.store.account(api),
      method: record.method,
      url,
      origin: url.origin,
      params: match.params,
      query,
      body: parsed?.value,
    });
    return { ...reply, headers: baseHeaders(deps, keyId) };
  } catch (e) {
    if (e instanceof ApiError) return errorOutcome(deps, e, keyId);
    process.stderr.write(`apple-api-simulator: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return errorOutcome(deps, unexpectedError(), keyId);
  }
}

function errorOutcome(deps: PipelineDeps, error: ApiError, keyId: string | undefined): Outcome {
  return { status: error.status, body: error.toBody(), headers: baseHeaders(deps, keyId) };
}
