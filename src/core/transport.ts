/**
 * One HTTP exchange with Apple, as both API clients (and the Business token request) send it: undici
 * with keep-alive and proxy support, a deadline per attempt that covers the body, retries with
 * backoff inside a time budget, rate-limit pacing, one log line per wait, and request counts.
 * The one JSON parser for Apple's answers is here too (`parseJson`).
 */
import { setFlagsFromString } from 'node:v8';
import dispatcherApi from 'undici/lib/api/index.js';
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js';
import EnvHttpProxyAgent from 'undici/lib/dispatcher/env-http-proxy-agent.js';
import { AppleConnectionError, AppleResponseError, LimitError } from './errors.js';
import { silentLogger, type Logger } from './log.js';
import { paceMs, parseRateLimit, type RateLimit } from './rate-limit.js';
import { backoffMs, DEFAULT_BACKOFF, formatMs, parseRetryAfter, realSleep, type BackoffPolicy, type Sleep } from './retry.js';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
export type Headers = Record<string, string | string[] | undefined>;

/** How much work one request, one listing or one pause may take. Injectable so tests run in milliseconds. */
export interface HttpLimits {
  /** One attempt, from sending to the last byte of the answer (a server trickling bytes included). */
  requestTimeoutMs: number;
  /** All attempts of one request with the waits between them; past it the request fails instead of retrying. */
  retryBudgetMs: number;
  /** Longest pause rate-limit pacing may put before a request; a longer one fails the run. */
  maxPaceMs: number;
  /** Pages one listing may follow. */
  maxPages: number;
  /** JSON nesting deeper than this is refused before parsing. */
  maxJsonDepth: number;
  /** A larger answer is refused while it arrives, before it fills memory. */
  maxBodyBytes: number;
}

const DEFAULT_LIMITS: HttpLimits = {
  requestTimeoutMs: 120_000,
  retryBudgetMs: 300_000,
  maxPaceMs: 60_000,
  maxPages: 10_000,
  maxJsonDepth: 64,
  maxBodyBytes: 64 * 1024 * 1024,
};

export interface TransportOptions {
  /** The input that set the URLs this transport calls (api-base-url, token-url), named when they fail. */
  input: string;
  dispatcher?: Dispatcher | undefined;
  sleep?: Sleep | undefined;
  now?: () => number;
  random?: () => number;
  backoff?: BackoffPolicy | undefined;
  limits?: Partial<HttpLimits> | undefined;
  /** Waits (retries, pacing) at info level, one line each; one debug line per request. Never headers or bodies. */
  log?: Logger | undefined;
}

/** One request to send, with headers and body made fresh for each attempt (a new token or client assertion). */
export interface Exchange {
  method: Method;
  url: URL;
  prepare: () => Promise<{ headers: Record<string, string>; body?: string | undefined }>;
  /** Whether the request may be sent again after it may have reached the server (reads; a token request). */
  resend: boolean;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** 0 for the first attempt. */
  attempt: number;
}

/** Requests sent (including retries), by method, and how many were retries. */
export interface RequestStats {
  byMethod: Record<string, number>;
  retries: number;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
/** Our own deadline for one attempt (HttpLimits.requestTimeoutMs). */
const DEADLINE = 'DEADLINE';
/** Connection failures; for writes only those that prove nothing was sent are retried. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EAI_AGAIN']);
const CONNECTION_CODES = new Set([
  ...NOT_SENT_CODES,
  DEADLINE,
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

// undici's modules are imported one by one rather than through its index, which would also evaluate its
// fetch, WebSocket, mock and cache layers. With vendor/undici-proxy-agent doing the same for
// @actions/http-client, that keeps 6 to 9 MB of resident memory and about 230 KB off every action
// (bench/bundles.mjs). Its index does one more thing that dispatchers need, and so must we: give them the
// request methods (a proxy agent's CONNECT calls `connect` on its client).
Object.assign(Dispatcher.prototype, dispatcherApi);

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
function defaultDispatcher(): Dispatcher {
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

export function headerValue(h: Headers, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round(n / (1024 * 1024))} MiB` : `${Math.round(n / 1024)} KiB`;
}

/** How deeply arrays and objects nest in a JSON text, counted without parsing it (strings skipped). */
function jsonDepth(text: string, stopAt: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) max = depth;
      if (max > stopAt) return max;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/**
 * The one place Apple's answers are parsed: undefined for an empty body, an AppleResponseError naming
 * `what` was asked for a body that is not JSON or nests deeper than `maxDepth`.
 */
export function parseJson(text: string, what: string, maxDepth: number = DEFAULT_LIMITS.maxJsonDepth): unknown {
  if (text.trim() === '') return undefined;
  if (jsonDepth(text, maxDepth) > maxDepth) {
    throw new AppleResponseError(
      `Apple's answer to ${what} nests JSON deeper than ${maxDepth} levels, which no Apple API does; run the job again, and report it if it persists.`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppleResponseError(`Apple's answer to ${what} is not JSON; run the job again, and report it if it persists.`);
  }
}

export class Transport {
  readonly stats: RequestStats = { byMethod: {}, retries: 0 };
  /** The budget Apple reported on the latest response. */
  rateLimit: RateLimit | undefined;
  readonly limits: HttpLimits;
  readonly log: Logger;
  private readonly dispatcher: Dispatcher;
  private readonly sleep: Sleep;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly backoff: BackoffPolicy;

  constructor(private readonly opts: TransportOptions) {
    this.dispatcher = opts.dispatcher ?? defaultDispatcher();
    this.sleep = opts.sleep ?? realSleep;
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.log = opts.log ?? silentLogger;
  }

  /** Sends the request, retrying what may be retried; answers with the final response, whatever its status. */
  async exchange(x: Exchange): Promise<RawResponse> {
    const display = `${x.method} ${x.url.pathname}`;
    const first = this.now();
    for (let attempt = 0; ; attempt++) {
      await this.pace(display);
      const started = this.now();
      this.stats.byMethod[x.method] = (this.stats.byMethod[x.method] ?? 0) + 1;
      if (attempt > 0) this.stats.retries++;
      const prepared = await x.prepare();
      let status: number;
      let headers: Headers;
      let text: string;
      try {
        ({ status, headers, text } = await this.attempt(x, prepared));
      } catch (err) {
        if (err instanceof AppleResponseError) throw err;
        const code = errorCode(err);
        this.log.debug(`${display} failed: ${code}`);
        const failure = this.connectionError(x, code, err);
        const retryable = CONNECTION_CODES.has(code) && (x.resend || NOT_SENT_CODES.has(code));
        if (retryable && (await this.waitToRetry(display, attempt, first, backoffMs(attempt, this.backoff, this.random), code))) continue;
        throw failure;
      }
      this.rateLimit = parseRateLimit(headerValue(headers, 'x-rate-limit')) ?? this.rateLimit;
      const rem = this.rateLimit ? ` [${this.rateLimit.remaining}/${this.rateLimit.limit} left]` : '';
      this.log.debug(`${x.method} ${x.url.pathname}${x.url.search} -> ${status} (${this.now() - started} ms)${rem}`);
      // 429 means Apple did not process the request, so even a write may be sent again.
      if (RETRYABLE_STATUS.has(status) && (x.resend || status === 429)) {
        const after = parseRetryAfter(headerValue(headers, 'retry-after'));
        // A Retry-After longer than the policy allows fails the request instead of stalling the job.
        if (after === undefined || after <= this.backoff.maxRetryAfterMs) {
          const wait = after ?? backoffMs(attempt, this.backoff, this.random);
          if (await this.waitToRetry(display, attempt, first, wait, String(status))) continue;
        }
      }
      return { status, headers, text, attempt };
    }
  }

  /** One attempt, bounded as a whole by requestTimeoutMs: connecting, headers and every byte of the body. */
  private async attempt(
    x: Exchange,
    p: { headers: Record<string, string>; body?: string | undefined },
  ): Promise<{ status: number; headers: Headers; text: string }> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.limits.requestTimeoutMs);
    try {
      const res = await this.dispatcher.request({
        origin: x.url.origin,
        path: `${x.url.pathname}${x.url.search}`,
        method: x.method,
        headers: p.headers,
        signal: deadline.signal,
        ...(p.body === undefined ? {} : { body: p.body }),
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > this.limits.maxBodyBytes) {
          res.body.destroy();
          throw new AppleResponseError(
            `Apple's answer to ${x.method} ${x.url.pathname} is larger than ${formatBytes(this.limits.maxBodyBytes)}, far more than any Apple API sends; run the job again, and report it if it persists.`,
          );
        }
        chunks.push(chunk);
      }
      return { status: res.statusCode, headers: res.headers as Headers, text: Buffer.concat(chunks).toString('utf8') };
    } catch (err) {
      if (deadline.signal.aborted && !(err instanceof AppleResponseError))
        throw Object.assign(new Error('deadline passed', { cause: err }), { code: DEADLINE });
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private connectionError(x: Exchange, code: string, cause: unknown): AppleConnectionError {
    const where = `${x.url.origin}${x.url.pathname}`;
    const message = code === DEADLINE ? `${where} (${x.method}) did not answer completely within ${formatMs(this.limits.requestTimeoutMs)}.` : undefined;
    return new AppleConnectionError(x.method, where, code, this.opts.input, { cause, ...(message ? { message } : {}) });
  }

  /**
   * Waits before retry `attempt + 1` and says so in one line; false when no retry is left. A wait that
   * would pass the retry budget ends the request with a LimitError instead.
   */
  private async waitToRetry(display: string, attempt: number, first: number, wait: number, why: string): Promise<boolean> {
    if (attempt >= this.backoff.maxRetries) return false;
    const spent = this.now() - first;
    if (spent + wait > this.limits.retryBudgetMs) {
      throw new LimitError(
        `${display} still failed (${why}) after ${attempt + 1} attempts in ${formatMs(spent)}, and waiting ${formatMs(wait)} more would pass the ${formatMs(this.limits.retryBudgetMs)} allowed for one request; run the job again later.`,
      );
    }
    this.log.info(`Waiting ${formatMs(wait)} before retrying ${display} (${why}; retry ${attempt + 1} of ${this.backoff.maxRetries}).`);
    await this.sleep(wait);
    return true;
  }

  /** Spreads requests out when Apple's hourly budget is nearly spent; a pause longer than maxPaceMs ends the run. */
  private async pace(display: string): Promise<void> {
    const rate = this.rateLimit;
    const pace = paceMs(rate);
    if (!rate || pace <= 0) return;
    if (pace > this.limits.maxPaceMs) {
      throw new LimitError(
        `Apple allows this key ${rate.limit} requests an hour (${rate.remaining} left), so pacing would wait ${formatMs(pace)} before every request, more than the ${formatMs(this.limits.maxPaceMs)} allowed; run the job again when the budget has recovered, or use a key with a larger budget.`,
      );
    }
    this.log.info(`Waiting ${formatMs(pace)} before ${display}: pacing requests, ${rate.remaining} of ${rate.limit} left this hour.`);
    await this.sleep(pace);
  }
}
