/**
 * A local stand-in for the GitHub Actions cache service v2, faithful to what @actions/cache 6 speaks:
 * Twirp JSON at /twirp/github.actions.results.api.v1.CacheService/{CreateCacheEntry,
 * FinalizeCacheEntryUpload,GetCacheEntryDownloadURL} with the runtime token as Bearer, and signed
 * Azure-style blob URLs (IP-style `/<account>/<container>/<blob>?sv=…&sig=…`) that take a single-shot
 * block-blob PUT (`x-ms-blob-type: BlockBlob`), or staged blocks (`?comp=block&blockid=`) committed with
 * `?comp=blocklist`, and serve the archive back with GET. Keys are immutable; a look-up matches the key
 * exactly, then as a prefix, then each restore key as a prefix (newest first each time), and entries
 * are scoped by version, as on GitHub (docs.github.com, "Cache key matching").
 *
 * Give a step ACTIONS_CACHE_SERVICE_V2=true, ACTIONS_RESULTS_URL=<url>/ and ACTIONS_RUNTIME_TOKEN=<token>.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './runner.js';

const SERVICE = '/twirp/github.actions.results.api.v1.CacheService/';

interface CacheEntry {
  id: number;
  key: string;
  version: string;
  created: number;
  blob: string;
  finalized: boolean;
  sizeBytes?: number;
}

interface CacheRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  /** The Twirp request body (JSON), when it was one. */
  body?: unknown;
  /** Which header carried the blob type, for uploads. */
  blobType?: string;
}

export interface CacheServer {
  url: string;
  token: string;
  env: Record<string, string>;
  entries: CacheEntry[];
  requests: CacheRequest[];
  /**
   * Saves `files` (workspace-relative path -> content) under `key` the way any workflow step with cache
   * access would, through @actions/cache in a process of its own; resolves to whether the cache took it.
   */
  plant(key: string, files: Record<string, string>): Promise<boolean>;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function twirpError(res: ServerResponse, status: number, code: string, msg: string): number {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ code, msg }));
  return status;
}

function json(res: ServerResponse, body: unknown): number {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
  return 200;
}

function azureHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'x-ms-request-id': randomBytes(8).toString('hex'),
    'x-ms-version': '2025-01-05',
    date: new Date().toUTCString(),
    ...extra,
  };
}

function serviceEnv(origin: string, token: string): Record<string, string> {
  return { ACTIONS_CACHE_SERVICE_V2: 'true', ACTIONS_RESULTS_URL: `${origin}/`, ACTIONS_RUNTIME_TOKEN: token };
}

export async function startCacheServer(): Promise<CacheServer> {
  const token = `runtime-${randomBytes(12).toString('hex')}`;
  const entries: CacheEntry[] = [];
  const blobs = new Map<string, Buffer>();
  const blocks = new Map<string, Map<string, Buffer>>();
  const sigs = new Map<string, string>();
  const requests: CacheRequest[] = [];
  let nextId = 1;
  let origin = '';

  const signed = (blob: string): string => {
    const sig = randomBytes(16).toString('base64url');
    sigs.set(blob, sig);
    return `${origin}/devstoreaccount1/actions-cache/${blob}?sv=2025-01-05&sr=b&sp=rcw&se=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}&sig=${sig}`;
  };

  async function twirp(method: string, req: IncomingMessage, res: ServerResponse, rec: CacheRequest): Promise<number> {
    if (req.headers.authorization !== `Bearer ${token}`) return twirpError(res, 401, 'unauthenticated', 'invalid runtime token');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse((await readBody(req)).toString('utf8')) as Record<string, unknown>;
    } catch {
      return twirpError(res, 400, 'malformed', 'request body is not JSON');
    }
    rec.body = body;
    const key = typeof body['key'] === 'string' ? body['key'] : '';
    const version = typeof body['version'] === 'string' ? body['version'] : '';
    if (!key || !version) return twirpError(res, 400, 'invalid_argument', 'key and version are required');
    if (method === 'CreateCacheEntry') {
      if (entries.some((e) => e.key === key && e.version === version)) {
        return twirpError(res, 409, 'already_exists', 'cache entry with the same key, version, and scope already exists');
      }
      const blob = randomBytes(12).toString('hex');
      entries.push({ id: nextId++, key, version, created: Date.now(), blob, finalized: false });
      return json(res, { ok: true, signed_upload_url: signed(blob) });
    }
    if (method === 'FinalizeCacheEntryUpload') {
      const e = entries.find((x) => x.key === key && x.version === version && !x.finalized);
      const size = Number(body['size_bytes']);
      if (!e) return twirpError(res, 404, 'not_found', 'no cache entry is being created for this key and version');
      const data = blobs.get(e.blob);
      if (!data || data.length !== size)
        return json(res, { ok: false, entry_id: '0', message: `uploaded ${data?.length ?? 0} bytes, size_bytes says ${size}` });
      e.finalized = true;
      e.sizeBytes = size;
      return json(res, { ok: true, entry_id: String(e.id) });
    }
    if (method === 'GetCacheEntryDownloadURL') {
      const restoreKeys = Array.isArray(body['restore_keys']) ? (body['restore_keys'] as string[]) : [];
      const ready = entries.filter((e) => e.finalized && e.version === version).sort((a, b) => b.created - a.created || b.id - a.id);
      const hit = ready.find((e) => e.key === key) ?? [key, ...restoreKeys].map((p) => ready.find((e) => e.key.startsWith(p))).find((e) => e !== undefined);
      if (!hit) return json(res, { ok: false, signed_download_url: '', matched_key: '' });
      return json(res, { ok: true, signed_download_url: signed(hit.blob), matched_key: hit.key });
    }
    return twirpError(res, 404, 'bad_route', `no handler for ${method}`);
  }

  async function blob(req: IncomingMessage, res: ServerResponse, url: URL, rec: CacheRequest): Promise<number> {
    const name = url.pathname.split('/')[3] ?? '';
    if (!sigs.has(name) || url.searchParams.get('sig') !== sigs.get(name)) {
      res.writeHead(403, azureHeaders({ 'x-ms-error-code': 'AuthenticationFailed' }));
      res.end();
      return 403;
    }
    const comp = url.searchParams.get('comp');
    if (req.method === 'PUT' && comp === 'block') {
      const id = url.searchParams.get('blockid') ?? '';
      const data = await readBody(req);
      if (!blocks.has(name)) blocks.set(name, new Map());
      blocks.get(name)?.set(id, data);
      res.writeHead(201, azureHeaders({ 'content-md5': createHash('md5').update(data).digest('base64') }));
      res.end();
      return 201;
    }
    if (req.method === 'PUT' && comp === 'blocklist') {
      const xml = (await readBody(req)).toString('utf8');
      const ids = [...xml.matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g)].map((m) => m[1] ?? '');
      const staged = blocks.get(name) ?? new Map<string, Buffer>();
      if (ids.some((id) => !staged.has(id))) {
        res.writeHead(400, azureHeaders({ 'x-ms-error-code': 'InvalidBlockList' }));
        res.end();
        return 400;
      }
      blobs.set(name, Buffer.concat(ids.map((id) => staged.get(id) as Buffer)));
      res.writeHead(201, azureHeaders({ etag: `"0x${randomBytes(8).toString('hex')}"`, 'last-modified': new Date().toUTCString() }));
      res.end();
      return 201;
    }
    if (req.method === 'PUT') {
      rec.blobType = String(req.headers['x-ms-blob-type'] ?? '');
      if (rec.blobType !== 'BlockBlob') {
        res.writeHead(400, azureHeaders({ 'x-ms-error-code': 'MissingRequiredHeader' }));
        res.end();
        return 400;
      }
      const data = await readBody(req);
      blobs.set(name, data);
      res.writeHead(
        201,
        azureHeaders({
          etag: `"0x${randomBytes(8).toString('hex')}"`,
          'last-modified': new Date().toUTCString(),
          'content-md5': createHash('md5').update(data).digest('base64'),
          'x-ms-request-server-encrypted': 'true',
        }),
      );
      res.end();
      return 201;
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      const data = blobs.get(name);
      if (!data) {
        res.writeHead(404, azureHeaders({ 'x-ms-error-code': 'BlobNotFound' }));
        res.end();
        return 404;
      }
      res.writeHead(200, azureHeaders({ 'content-length': String(data.length), 'content-type': 'application/octet-stream', 'x-ms-blob-type': 'BlockBlob' }));
      res.end(req.method === 'GET' ? data : undefined);
      return 200;
    }
    res.writeHead(405, azureHeaders());
    res.end();
    return 405;
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const rec: CacheRequest = { method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), status: 0 };
    requests.push(rec);
    const handle =
      url.pathname.startsWith(SERVICE) && req.method === 'POST'
        ? twirp(url.pathname.slice(SERVICE.length), req, res, rec)
        : url.pathname.startsWith('/devstoreaccount1/actions-cache/')
          ? blob(req, res, url, rec)
          : Promise.resolve(twirpError(res, 404, 'bad_route', 'unknown path'));
    handle.then(
      (status) => (rec.status = status),
      (err: unknown) => {
        rec.status = 500;
        if (!res.headersSent) twirpError(res, 500, 'internal', String(err));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    token,
    env: serviceEnv(origin, token),
    entries,
    requests,
    plant: async (key, files) => {
      const workspace = await mkdtemp(path.join(tmpdir(), 'asa-plant-'));
      for (const [rel, content] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(workspace, rel)), { recursive: true });
        await writeFile(path.join(workspace, rel), content);
      }
      const lib = pathToFileURL(path.join(ROOT, 'node_modules/@actions/cache/lib/cache.js')).href;
      const script = `const c = await import(${JSON.stringify(lib)}); process.stdout.write(String(await c.saveCache(${JSON.stringify(Object.keys(files))}, ${JSON.stringify(key)})));`;
      const env = { PATH: process.env['PATH'] ?? '', HOME: workspace, GITHUB_WORKSPACE: workspace, ...serviceEnv(origin, token) };
      const out = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: workspace, env }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
      );
      return out.trim() !== '-1';
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
