/**
 * The JSON:API client for Apple's APIs on top of the core transport: URLs kept on the configured
 * origin, bearer tokens (renewed once on a 401), paging with a guard against loops, Apple's error
 * bodies as typed errors carrying the advice of the API that refused, and answers of the wrong shape
 * as one sentence.
 */
import { AppleApiError, AppleResponseError, LimitError, OriginError, type Advice, type AppleErrorEntry } from './errors.js';
import type { Dispatcher } from 'undici';
import type { Logger, Mask } from './log.js';
import type { RateLimit } from './rate-limit.js';
import type { Sleep } from './retry.js';
import { headerValue, parseJson, Transport, type Headers, type Method, type RequestStats, type TransportOptions } from './transport.js';

export type Query = Record<string, string | number | readonly string[] | undefined>;

/** Supplies bearer tokens (an App Store Connect JWT, an Apple Business access token); `renew` is called once after a 401. */
export interface TokenProvider {
  token(): Promise<string>;
  renew(): Promise<string>;
}

/** What an API client gets from its front end (an action, the CLI, a test). */
export interface ClientDeps {
  mask: Mask;
  log?: Logger | undefined;
  dispatcher?: Dispatcher | undefined;
  sleep?: Sleep | undefined;
}

export interface HttpClientOptions extends Omit<TransportOptions, 'input'> {
  /** Origin of the API, without `/v1`, e.g. `https://api.appstoreconnect.apple.com`. */
  baseUrl: string;
  auth: TokenProvider;
  /** What to do about a refusal, in this API's terms. */
  advise?: Advice | undefined;
}

export interface JsonResponse<T> {
  status: number;
  body: T;
  headers: Headers;
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

/** Throws unless `url` is on `origin`: called right before a request gets the token. */
export function assertSameOrigin(url: URL, origin: URL): void {
  if (url.origin !== origin.origin) {
    throw new OriginError(`Refused to send the API token to ${url.origin}: requests go only to ${origin.origin}, the origin set by api-base-url.`);
  }
}

export class AppleHttpClient {
  readonly transport: Transport;
  private readonly origin: URL;

  constructor(private readonly opts: HttpClientOptions) {
    this.origin = new URL(opts.baseUrl);
    this.transport = new Transport({ ...opts, input: 'api-base-url' });
  }

  /** Requests sent (including retries), by method. */
  get stats(): RequestStats {
    return this.transport.stats;
  }

  /** The budget Apple reported on the latest response. */
  get rateLimit(): RateLimit | undefined {
    return this.transport.rateLimit;
  }

  /** Total requests sent. */
  get requestCount(): number {
    return Object.values(this.stats.byMethod).reduce((a, b) => a + b, 0);
  }

  /**
   * Resolves a path (`/v1/devices`) or an absolute URL from Apple (`links.next`) against our origin.
   * Absolute URLs keep their path and query but always go to the configured origin, so a token is
   * never sent elsewhere and a proxy or simulator set in api-base-url stays in the loop. The path is
   * assigned, never parsed again: a path such as `//other.host/v1` stays a path on our origin.
   */
  url(pathOrUrl: string, query?: Query): URL {
    const parsed = new URL(pathOrUrl, this.origin);
    const url = new URL(this.origin.origin);
    url.pathname = parsed.pathname;
    url.search = parsed.search;
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

  /**
   * Follows `links.next` from the first page on; `limit` defaults to Apple's maximum, 200. A link back to
   * a page already fetched, or more than `maxPages` pages, ends the listing with a LimitError.
   */
  async *pages<P extends { data: unknown[]; links?: { next?: string } }>(path: string, query: Query = {}): AsyncGenerator<P> {
    const fetched = new Set<string>();
    let next: URL | undefined = this.url(path, { limit: 200, ...query });
    while (next) {
      const key = next.pathname + next.search;
      if (fetched.has(key)) {
        throw new LimitError(
          `Apple's links.next for ${path} points back to a page already fetched (${key}), so the listing stopped after ${fetched.size} page${fetched.size === 1 ? '' : 's'}; run the job again, and report it if it persists.`,
        );
      }
      if (fetched.size >= this.transport.limits.maxPages) {
        throw new LimitError(
          `The listing of ${path} went past ${this.transport.limits.maxPages} pages without an end, so it stopped; report it if it persists.`,
        );
      }
      fetched.add(key);
      const body: P = (await this.get<P>(next.href)).body;
      if (!Array.isArray(body.data)) throw this.wrongShape('GET', next, 'its data is not a list');
      yield body;
      const link: unknown = body.links?.next;
      next = typeof link === 'string' && link !== '' ? this.url(link) : undefined;
    }
  }

  /** Every item of a collection, and every `included` resource, over all pages. */
  async all<T, I = unknown>(path: string, query: Query = {}): Promise<{ data: T[]; included: I[] }> {
    const data: T[] = [];
    const included: I[] = [];
    for await (const page of this.pages<{ data: T[]; included?: I[]; links?: { next?: string } }>(path, query)) {
      data.push(...page.data);
      if (Array.isArray(page.included)) included.push(...page.included);
    }
    return { data, included };
  }

  private wrongShape(method: Method, url: URL, why: string): AppleResponseError {
    return new AppleResponseError(
      `Apple's answer to ${method} ${url.pathname} is not what the API documents (${why}); run the job again, and report it if it persists.`,
    );
  }

  private async send<T>(method: Method, pathOrUrl: string, o: { query?: Query | undefined; body?: unknown }): Promise<JsonResponse<T>> {
    const url = this.url(pathOrUrl, o.query);
    const body = o.body === undefined ? undefined : JSON.stringify(o.body);
    const exchange = {
      method,
      url,
      resend: method === 'GET' || method === 'DELETE',
      prepare: async () => {
        const token = await this.opts.auth.token();
        assertSameOrigin(url, this.origin);
        return {
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body,
        };
      },
    };
    let res = await this.transport.exchange(exchange);
    if (res.status === 401) {
      this.transport.log.debug('401: renewing the token once');
      await this.opts.auth.renew();
      res = await this.transport.exchange(exchange);
    }
    const { status, headers } = res;
    const what = `${method} ${url.pathname}`;
    if (status >= 200 && status < 300) {
      const parsed = parseJson(res.text, what, this.transport.limits.maxJsonDepth);
      if (method !== 'DELETE') {
        const data = (parsed as { data?: unknown } | undefined)?.data;
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || typeof data !== 'object' || data === null) {
          throw this.wrongShape(method, url, 'it has no data object');
        }
      }
      return { status, body: parsed as T, headers };
    }
    // A DELETE retried after a lost response finds the resource already gone: that is success.
    if (method === 'DELETE' && status === 404 && res.attempt > 0) return { status: 204, body: undefined as T, headers };
    let parsed: unknown;
    try {
      parsed = parseJson(res.text, what, this.transport.limits.maxJsonDepth);
    } catch {
      parsed = undefined;
    }
    throw new AppleApiError({
      status,
      method,
      path: url.pathname,
      errors: toErrorEntries(parsed, status),
      requestId: headerValue(headers, 'x-request-id') ?? headerValue(headers, 'x-apple-request-uuid'),
      advise: this.opts.advise,
    });
  }
}
