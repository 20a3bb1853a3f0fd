/**
 * The HTTP transport against small real servers on 127.0.0.1: where tokens may go, how long one request,
 * its retries, a listing and a pacing pause may take, what is logged while waiting, and answers of the
 * wrong shape. Limits are passed in milliseconds so each case runs in well under a second.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AppleApiError, AppleConnectionError, AppleResponseError, describeError, LimitError, OriginError } from '../../src/core/errors.js';
import { AppleHttpClient, assertSameOrigin, type HttpClientOptions } from '../../src/core/http.js';
import type { Logger } from '../../src/core/log.js';
import { parseJson } from '../../src/core/transport.js';

interface Listener {
  url: string;
  hits: { method: string; url: string; authorization: string | undefined }[];
  close(): Promise<void>;
}

const open: Listener[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

async function listen(handler: (req: IncomingMessage, res: ServerResponse, n: number) => void): Promise<Listener> {
  const hits: Listener['hits'] = [];
  const server: Server = createServer((req, res) => {
    hits.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
    handler(req, res, hits.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const l: Listener = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  open.push(l);
  return l;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

function recorder(): { logger: Logger; info: string[] } {
  const info: string[] = [];
  const logger: Logger = {
    info: (m) => info.push(m),
    debug: () => undefined,
    warning: () => undefined,
    notice: () => undefined,
    group: (_n, fn) => fn(),
  };
  return { logger, info };
}

/** A fake clock that only the injected sleep moves, so budgets are measured in simulated time. */
function fakeTime(): { now: () => number; sleep: (ms: number) => Promise<void>; waits: number[] } {
  let t = 0;
  const waits: number[] = [];
  return {
    now: () => t,
    sleep: async (ms) => {
      waits.push(ms);
      t += ms;
    },
    waits,
  };
}

function client(baseUrl: string, over: Partial<HttpClientOptions> = {}): AppleHttpClient {
  return new AppleHttpClient({
    baseUrl,
    auth: { token: async () => 'secret-token', renew: async () => 'secret-token' },
    sleep: async () => undefined,
    ...over,
  });
}

describe('the token stays on the configured origin', () => {
  it('keeps a links.next whose path starts with // on our origin, and nothing reaches the other host', async () => {
    const other = await listen((_q, res) => json(res, 200, { data: [] }));
    const otherHost = new URL(other.url).host;
    const api = await listen((req, res, n) => {
      if (n === 1) json(res, 200, { data: [{ id: '1' }], links: { next: `http://${req.headers.host}//${otherHost}/v1/devices?cursor=2` } });
      else if (n === 2) json(res, 200, { data: [{ id: '2' }], links: { next: `//${otherHost}/v1/devices?cursor=3` } });
      else json(res, 200, { data: [{ id: '3' }] });
    });
    const { data } = await client(api.url).all<{ id: string }>('/v1/devices');
    expect(data.map((d) => d.id)).toEqual(['1', '2', '3']);
    expect(other.hits).toEqual([]);
    expect(api.hits.map((h) => h.url)).toEqual(['/v1/devices?limit=200', `//${otherHost}/v1/devices?cursor=2`, '/v1/devices?cursor=3']);
    expect(api.hits.every((h) => h.authorization === 'Bearer secret-token')).toBe(true);
  });

  it('builds URLs by assignment, and refuses to attach the token to a URL on another origin', () => {
    const http = client('https://api.example.test');
    expect(http.url('https://api.example.test//evil.test/v1/devices?cursor=x').href).toBe('https://api.example.test//evil.test/v1/devices?cursor=x');
    expect(http.url('//evil.test/v1/devices').origin).toBe('https://api.example.test');
    expect(() => assertSameOrigin(new URL('https://evil.test/v1'), new URL('https://api.example.test'))).toThrow(OriginError);
    expect(() => assertSameOrigin(new URL('https://evil.test/v1'), new URL('https://api.example.test'))).toThrow(
      'Refused to send the API token to https://evil.test: requests go only to https://api.example.test, the origin set by api-base-url.',
    );
  });
});

describe('bounded work', () => {
  it('ends a request whose server trickles one byte a second at the deadline, body included', async () => {
    const trickle = await listen((_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{');
      const timer = setInterval(() => res.write(' '), 1000);
      res.on('close', () => clearInterval(timer));
    });
    const started = Date.now();
    const err = await client(trickle.url, { limits: { requestTimeoutMs: 300 }, backoff: { maxRetries: 1, baseMs: 1, maxMs: 1, maxRetryAfterMs: 0 } })
      .get('/v1/devices/1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppleConnectionError);
    expect(describeError(err)).toBe(
      `${trickle.url}/v1/devices/1 (GET) did not answer completely within 300 ms. Check the network, api-base-url and any HTTPS_PROXY/NO_PROXY settings, then run the job again.`,
    );
    expect(trickle.hits).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('stops retrying when the next wait would pass the retry budget, with one sentence', async () => {
    const down = await listen((_q, res) => json(res, 503, { errors: [{ status: '503', code: 'UNEXPECTED_ERROR', title: 'x', detail: 'y' }] }));
    const time = fakeTime();
    const err = await client(down.url, {
      ...time,
      random: () => 1,
      limits: { retryBudgetMs: 5_000 },
      backoff: { maxRetries: 10, baseMs: 1000, maxMs: 8000, maxRetryAfterMs: 120_000 },
    })
      .get('/v1/devices/1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LimitError);
    // Waits of 1 s and 2 s fit in 5 s; the third, 4 s, would not.
    expect(time.waits).toEqual([1000, 2000]);
    expect(down.hits).toHaveLength(3);
    expect((err as Error).message).toBe(
      'GET /v1/devices/1 still failed (503) after 3 attempts in 3 s, and waiting 4 s more would pass the 5 s allowed for one request; run the job again later.',
    );
  });

  it('stops at a links.next that points back to a page already fetched', async () => {
    let served = 0;
    const loop = await listen((req, res) => {
      served++;
      // Ends by itself after 50 pages so that a client without the guard finishes too.
      json(res, 200, { data: [{ id: String(served) }], links: served < 50 ? { next: `http://${req.headers.host}${req.url}` } : {} });
    });
    const err = await client(loop.url)
      .all('/v1/devices')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LimitError);
    expect((err as Error).message).toBe(
      "Apple's links.next for /v1/devices points back to a page already fetched (/v1/devices?limit=200), so the listing stopped after 1 page; run the job again, and report it if it persists.",
    );
    expect(loop.hits).toHaveLength(1);
  });

  it('stops a listing that goes past the page limit', async () => {
    const endless = await listen((req, res) => {
      const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('cursor') ?? '0');
      json(res, 200, { data: [], links: { next: `/v1/devices?cursor=${n + 1}` } });
    });
    const err = await client(endless.url, { limits: { maxPages: 5 } })
      .all('/v1/devices')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LimitError);
    expect(endless.hits).toHaveLength(5);
  });

  it('refuses an answer larger than the body limit while it arrives', async () => {
    const huge = await listen((_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`{"data":[${'0,'.repeat(20_000)}`);
      // Never ends by itself: only the limit stops the read.
      const timer = setInterval(() => res.write('0,'.repeat(10_000)), 5);
      res.on('close', () => clearInterval(timer));
    });
    const err = await client(huge.url, { limits: { maxBodyBytes: 100 * 1024 } })
      .all('/v1/devices')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppleResponseError);
    expect((err as Error).message).toBe(
      "Apple's answer to GET /v1/devices is larger than 100 KiB, far more than any Apple API sends; run the job again, and report it if it persists.",
    );
    expect(huge.hits).toHaveLength(1);
  });

  it('refuses to pace for an hour before each request when X-Rate-Limit leaves one request an hour', async () => {
    const scarce = await listen((_q, res) => json(res, 200, { data: { id: '1' } }, { 'X-Rate-Limit': 'user-hour-lim:1;user-hour-rem:0;' }));
    const time = fakeTime();
    const http = client(scarce.url, time);
    await http.get('/v1/devices/1');
    const err = await http.get('/v1/devices/1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LimitError);
    expect((err as Error).message).toBe(
      'Apple allows this key 1 requests an hour (0 left), so pacing would wait 3600 s before every request, more than the 60 s allowed; run the job again when the budget has recovered, or use a key with a larger budget.',
    );
    expect(time.waits).toEqual([]);
    expect(scarce.hits).toHaveLength(1);
  });
});

describe('waits say what they wait for', () => {
  it('logs one info line per retry and per pacing pause, with how long', async () => {
    const api = await listen((_q, res, n) => {
      if (n === 1) json(res, 503, {}, { 'Retry-After': '2' });
      else json(res, 200, { data: { id: '1' } }, { 'X-Rate-Limit': 'user-hour-lim:3600;user-hour-rem:40;' });
    });
    const { logger, info } = recorder();
    const time = fakeTime();
    const http = client(api.url, { ...time, log: logger });
    await http.get('/v1/devices/1');
    await http.get('/v1/devices/1');
    expect(info).toEqual([
      'Waiting 2 s before retrying GET /v1/devices/1 (503; retry 1 of 4).',
      'Waiting 1 s before GET /v1/devices/1: pacing requests, 40 of 3600 left this hour.',
    ]);
    expect(time.waits).toEqual([2000, 1000]);
  });
});

describe('answers of the wrong shape', () => {
  it.each([
    ['a list whose data is not an array', { data: { id: '1' } }, "Apple's answer to GET /v1/devices is not what the API documents (its data is not a list)"],
    ['a body that is not JSON', '<html>maintenance</html>', "Apple's answer to GET /v1/devices is not JSON"],
    [
      'JSON nested 100,000 levels deep',
      `{"data":[${'['.repeat(100_000)}${']'.repeat(100_000)}]}`,
      "Apple's answer to GET /v1/devices nests JSON deeper than 64 levels, which no Apple API does",
    ],
  ])('ends %s in one typed sentence naming the request', async (_name, body, sentence) => {
    const api = await listen((_q, res) => json(res, 200, body));
    const err = await client(api.url)
      .all('/v1/devices')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppleResponseError);
    expect(describeError(err)).toBe(`${sentence}; run the job again, and report it if it persists.`);
  });

  it('ends a single resource without a data object in one typed sentence', async () => {
    const api = await listen((_q, res) => json(res, 200, []));
    const err = await client(api.url)
      .get('/v1/profiles/1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppleResponseError);
    expect((err as Error).message).toMatch(/^Apple's answer to GET \/v1\/profiles\/1 is not what the API documents \(it has no data object\)/);
  });

  it('parses JSON up to the depth limit and not beyond', () => {
    const nested = (n: number): string => '['.repeat(n) + ']'.repeat(n);
    expect(parseJson(nested(64), 'GET /x')).toBeDefined();
    expect(() => parseJson(nested(65), 'GET /x')).toThrow(AppleResponseError);
    // Brackets inside strings do not count.
    expect(parseJson(`{"a":"${'['.repeat(200)}\\"["}`, 'GET /x')).toEqual({ a: `${'['.repeat(200)}"[` });
  });

  it('still reads an error body that is not JSON as a refusal with the status', async () => {
    const api = await listen((_q, res) => json(res, 404, 'not json'));
    const err = await client(api.url)
      .get('/v1/profiles/1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppleApiError);
    expect((err as AppleApiError).status).toBe(404);
  });
});
