// The Apple API simulator: a stateful App Store Connect API + Enterprise Program API over real HTTP(S).
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Authenticator } from './auth.js';
import { APPLE_HOSTNAMES, createCa, issueTlsCertificate } from './ca.js';
import type { SimEnv } from './context.js';
import { FaultQueue } from './faults.js';
import { IdGenerator } from './ids.js';
import { KeyRegistry } from './keys.js';
import { RateLimiter } from './rate-limit.js';
import { createSeeder } from './seed.js';
import { DEFAULT_CERTIFICATE_LIMITS } from './signing-types.js';
import { createRequestHandler } from './server.js';
import { Store } from './store.js';
import type { ApiKind, RequestRecord, Simulator, SimulatorOptions } from './types.js';

export type {
  AccountView,
  ApiKeyCredentials,
  ApiKind,
  BundleIdPlatform,
  BundleIdRecord,
  CertificateRecord,
  DeviceRecord,
  DeviceStatus,
  FaultSpec,
  Platform,
  ProfileRecord,
  ProfileState,
  RequestRecord,
  SeedApi,
  Simulator,
  SimulatorOptions,
} from './types.js';

export { DEFAULT_CERTIFICATE_LIMITS } from './signing-types.js';
export { APPLE_HOSTNAMES } from './ca.js';

// The Apple Business API simulator runs as its own server (Apple serves it from other hosts).
export { startBusinessSimulator, type BusinessSimulator, type BusinessSimulatorOptions } from './business/index.js';

function checkCount(name: string, v: number | undefined, min: number): void {
  if (v !== undefined && (!Number.isInteger(v) || v < min)) throw new Error(`SimulatorOptions.${name} must be an integer >= ${min}`);
}

function certificateLimits(opts: SimulatorOptions): (certificateType: string) => number {
  for (const [type, n] of Object.entries(opts.certificateLimits ?? {})) checkCount(`certificateLimits.${type}`, n, 0);
  const table: Record<string, number> = { ...DEFAULT_CERTIFICATE_LIMITS, ...opts.certificateLimits };
  const fallback = opts.certificateLimitPerType ?? 3;
  return (type) => table[type] ?? fallback;
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  checkCount('port', opts.port, 0);
  checkCount('immediateDevices', opts.immediateDevices, 0);
  checkCount('rateLimitPerHour', opts.rateLimitPerHour, 1);
  checkCount('certificateLimitPerType', opts.certificateLimitPerType, 1);
  checkCount('defaultIncludeLimit', opts.defaultIncludeLimit, 1);
  if (opts.deviceYearlyLimit !== null) checkCount('deviceYearlyLimit', opts.deviceYearlyLimit, 0);
  const now = opts.now ?? (() => new Date());
  const host = opts.host ?? '127.0.0.1';
  const ids = new IdGenerator();
  const ca = createCa(now());
  const env: SimEnv = {
    teamId: opts.teamId ?? 'SIMTEAM123',
    teamName: opts.teamName ?? 'Simulated Team',
    now,
    ids,
    ca,
    store: new Store(),
    deviceYearlyLimit: opts.deviceYearlyLimit === undefined ? 100 : opts.deviceYearlyLimit,
    immediateDevices: opts.immediateDevices ?? 10,
    certificateLimit: certificateLimits(opts),
    allowDeveloperIdCertificateCreation: opts.allowDeveloperIdCertificateCreation ?? false,
    rejectedCertificateTypeFilters: opts.rejectedCertificateTypeFilters ?? [],
    defaultIncludeLimit: Math.min(50, opts.defaultIncludeLimit ?? 50),
  };
  const keys = new KeyRegistry(ids);
  const auth = new Authenticator(keys, now);
  const faults = new FaultQueue();
  const requests: RequestRecord[] = [];
  const scheme = opts.tls ? 'https' : 'http';
  let url = '';
  const handler = createRequestHandler({
    env,
    auth,
    rate: new RateLimiter(opts.rateLimitPerHour ?? 3600, now),
    faults,
    requests,
    scheme,
    fallbackHost: () => url.replace(/^https?:\/\//, ''),
  });
  const tls = opts.tls ? issueTlsCertificate(ca, now(), opts.appleHostnames ? APPLE_HOSTNAMES : []) : undefined;
  const server: Server = tls ? createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, handler) : createHttpServer(handler);
  // Idle keep-alive sockets are left to the client to close: a server that closes one just as a loaded client
  // sends on it makes that request fail with ECONNRESET (seen in the tests under load). close() ends them all.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  url = `${scheme}://${urlHost(host)}:${port}`;
  const account = (api: ApiKind | undefined) => env.store.account(api ?? 'app-store-connect');

  return {
    url,
    caCertPem: ca.certPem,
    addKey: (o) => keys.add(o),
    seed: createSeeder(env),
    state: (api) => account(api).view(),
    finishProcessing() {
      for (const acc of env.store.all()) for (const d of acc.devices.values()) if (d.status === 'PROCESSING') d.status = 'ENABLED';
    },
    revokeCertificate(id, api) {
      if (!account(api).removeCertificate(id)) throw new Error(`revokeCertificate: no certificate ${id} on ${api ?? 'app-store-connect'}`);
    },
    expireTokens: () => auth.expireSeenTokens(),
    tokensSeen: () => auth.presentedTokens(),
    ...(tls ? { tlsCredentials: tls } : {}),
    faults: { add: (f) => faults.add(f), clear: () => faults.clear() },
    requests,
    clearRequests() {
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The host to put in URLs: wildcard binds are reached through loopback; IPv6 goes in brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
