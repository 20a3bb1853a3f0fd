/**
 * The JSON:API transport for Apple's APIs: undici with keep-alive and proxy support, bearer tokens,
 * retries with backoff, rate-limit pacing, Apple's error bodies as typed errors, and request counts.
 */
import { setFlagsFromString } from 'node:v8';
import { EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { AppleApiError, AppleConnectionError, type AppleErrorEntry } from './errors.js';
import { paceMs, parseRateLimit, type RateLimit } from './rate-limit.js';
import { backoffMs, DEFAULT_BACKOFF, parseRetryAfter, realSleep, type BackoffPolicy, type Sleep } from './retry.js';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
export type Query = Record<string, string | number | readonly string[] | undefined>;

export interface BearerAuth {
  token(): Promise<string>;
  renew(): Promise<string>;
}

export interface HttpClientOptions {
  /** Origin of the API, without `/v1`, e.g. `https://api.appstoreconnect.apple.com`. */
  baseUrl: string;
  auth: BearerAuth;
  dispatcher?: Dispatcher;
  sleep?: Sleep;
  random?: () => number;
  backoff?: BackoffPolicy;
  /** Debug lines: one per request and per retry. Never carries headers or bodies. */
  log?: (line: string) => void;
}

export interface JsonResponse<T> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | undefined>;
}

/** Requests sent (including retries), by method, and how many were retries. */
export interface RequestStats {
  byMethod: Record<string, number>;
  retries: number;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
/** Connection failures; for writes only those that prove nothing was sent are retried. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EAI_AGAIN']);
const CONNECTION_CODES = new Set([
  ...NOT_SENT_CODES,
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

let sharedDispatcher: Dispatcher | undefined;

/**
 * undici parses HTTP with a WebAssembly build of llhttp. V8 first compiles it with its baseline compiler
 * and then, in the background, again with its optimising one; Node waits for that background work before
 * the process may exit, so a step of a few requests spent most of a second after its work and a third more
 * peak memory (bench/: 95 MB peak and ~1 s longer, against 61 MB). The baseline code parses our few
 * responses as fast, so optimising compilation of WebAssembly is turned off before llhttp is compiled.
 * The flag concerns WebAssembly only; JavaScript is optimised as usual.
 */
function baselineWasmOnly(): void {
  setFlagsFromString('--liftoff-only');
}

/** One keep-alive pool per process that honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY. */
export function defaultDispatcher(): Dispatcher {
  if (!sharedDispatcher) baselineWasmOnly();
  sharedDispatcher ??= new EnvHttpProxyAgent({
    connect: { timeout: 10_000 },
    headersTimeout: 60_000,
    bodyTimeout: 60_000,
    keepAliveTimeout: 4_000,
  });
  return sharedDispatcher;
}

function errorCode(err: unknown): string {
  const seen = new Set<unknown>();
  let e: unknown = err;
  while (e && typeof e === 'object' && !seen.has(e)) {
    seen.add(e);
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'UNKNOWN';
}

function headerValue(h: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

function toErrorEntries(body: unknown, status: number): AppleErrorEntry[] {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors
    .filter((e): e is Record<string, unknown> => !!e && typeof e === 'object')
    .map((e) => {
      const entry: AppleErrorEntry = {
        status: String(e['status'] ?? status),
        code: String(e['code'] ?? `HTTP_${status}`),
        title: String(e['title'] ?? ''),
        detail: String(e['detail'] ?? ''),
      };
      if (typeof e['id'] === 'string') entry.id = e['id'];
      const source = e['source'];
      if (source && typeof source === 'object') entry.source = source as { pointer?: string; parameter?: string };
      return entry;
    });
}

export class AppleHttpClient {
  readonly stats: RequestStats = { byMethod: {}, retries: 0 };
  /** The budget Apple reported on the latest response. */
  rateLimit: RateLimit | undefined;
  private readonly origin: URL;
  private readonly dispatcher: Dispatcher;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly backoff: BackoffPolicy;
  private readonly log: (line: string) => void;

  constructor(private readonly opts: HttpClientOptions) {
    this.origin = new URL(opts.baseUrl);
    this.dispatcher = opts.dispatcher ?? defaultDispatcher();
    this.sleep = opts.sleep ?? realSleep;
    this.random = opts.random ?? Math.random;
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.log = opts.log ?? (() => undefined);
  }

  /** Total requests sent. */
  get requestCount(): number {
    return Object.values(this.stats.byMethod).reduce((a, b) => a + b, 0);
  }

  /**
   * Resolves a path (`/v1/devices`) or an absolute URL from Apple (`links.next`) against our origin.
   * Absolute URLs keep their path and query but always go to the configured origin, so a token is
   * never sent elsewhere and a proxy or simulator set in api-base-url stays in the loop.
   */
  url(pathOrUrl: string, query?: Query): URL {
    const parsed = new URL(pathOrUrl, this.origin);
    const url = new URL(parsed.pathname + parsed.search, this.origin);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined) continue;
      url.searchParams.set(k, Array.isArray(v) ? v.join(',') : String(v));
    }
    return url;
  }

  get<T>(pathOrUrl: string, query?: Query): Promise<JsonResponse<T>> {
    return this.send<T>('GET', pathOrUrl, { query });
  }

  post<T>(path: string, body: unknown): Promise<JsonResponse<T>> {
    return this.send<T>('POST', path, { body });
  }

  patch<T>(path: string, body: unknown): Promise<JsonResponse<T>> {
    return this.send<T>('PATCH', path, { body });
  }

  delete(path: string): Promise<JsonResponse<undefined>> {
    return this.send<undefined>('DELETE', path, {});
  }

  /** Follows `links.next` from the first page on; `limit` defaults to Apple's maximum, 200. */
  async *pages<P extends { links?: { next?: string } }>(path: string, query: Query = {}): AsyncGenerator<P> {
    let next: string | undefined = this.url(path, { limit: 200, ...query }).toString();
    while (next) {
      const page: JsonResponse<P> = await this.get<P>(next);
      yield page.body;
      next = page.body.links?.next;
    }
  }

  /** Every item of a collection, and every `included` resource, over all pages. */
  async all<T, I = unknown>(path: string, query: Query = {}): Promise<{ data: T[]; included: I[] }> {
    const data: T[] = [];
    const included: I[] = [];
    for await (const page of this.pages<{ data: T[]; included?: I[]; links?: { next?: string } }>(path, query)) {
      data.push(...page.data);
      if (page.included) included.push(...page.included);
    }
    return { data, included };
  }

  private async send<T>(method: Method, pathOrUrl: string, o: { query?: Query | undefined; body?: unknown }): Promise<JsonResponse<T>> {
    const url = this.url(pathOrUrl, o.query);
    const display = url.pathname + url.search;
    const idempotent = method === 'GET' || method === 'DELETE';
    let renewed = false;
    for (let attempt = 0; ; attempt++) {
      const pace = paceMs(this.rateLimit);
      if (pace > 0) {
        this.log(`pacing ${pace} ms: ${this.rateLimit?.remaining} of ${this.rateLimit?.limit} requests left this hour`);
        await this.sleep(pace);
      }
      const started = Date.now();
      this.stats.byMethod[method] = (this.stats.byMethod[method] ?? 0) + 1;
      if (attempt > 0) this.stats.retries++;
      const token = await this.opts.auth.token();
      let res: Dispatcher.ResponseData;
      try {
        res = await request(url, {
          method,
          dispatcher: this.dispatcher,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(o.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(o.body === undefined ? {} : { body: JSON.stringify(o.body) }),
        });
      } catch (err) {
        const code = errorCode(err);
        const retryable = CONNECTION_CODES.has(code) && (idempotent || NOT_SENT_CODES.has(code));
        this.log(`${method} ${display} failed: ${code}`);
        if (retryable && attempt < this.backoff.maxRetries) {
          await this.sleep(backoffMs(attempt, this.backoff, this.random));
          continue;
        }
        throw new AppleConnectionError(method, `${url.origin}${url.pathname}`, code, { cause: err });
      }
      const headers = res.headers as Record<string, string | string[] | undefined>;
      this.rateLimit = parseRateLimit(headerValue(headers, 'x-rate-limit')) ?? this.rateLimit;
      const text = await res.body.text();
      const status = res.statusCode;
      const rem = this.rateLimit ? ` [${this.rateLimit.remaining}/${this.rateLimit.limit} left]` : '';
      this.log(`${method} ${display} -> ${status} (${Date.now() - started} ms)${rem}`);
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      if (status >= 200 && status < 300) return { status, body: body as T, headers };
      // A DELETE retried after a lost response finds the resource already gone: that is success.
      if (method === 'DELETE' && status === 404 && attempt > 0) return { status: 204, body: undefined as T, headers };
      if (status === 401 && !renewed) {
        renewed = true;
        this.log('401: renewing the token once');
        await this.opts.auth.renew();
        attempt--;
        continue;
      }
      // 429 means Apple did not process the request, so even a write may be sent again.
      const retryable = RETRYABLE_STATUS.has(status) && (idempotent || status === 429);
      if (retryable && attempt < this.backoff.maxRetries) {
        const after = parseRetryAfter(headerValue(headers, 'retry-after'));
        if (after === undefined || after <= this.backoff.maxRetryAfterMs) {
          const wait = after ?? backoffMs(attempt, this.backoff, this.random);
          this.log(`retrying in ${wait} ms after ${status}`);
          await this.sleep(wait);
          continue;
        }
      }
      throw new AppleApiError({
        status,
        method,
        path: url.pathname,
        errors: toErrorEntries(body, status),
        requestId: headerValue(headers, 'x-request-id') ?? headerValue(headers, 'x-apple-request-uuid'),
      });
    }
  }
}
