// The simulator's command line, as a function: parses flags, starts the simulator and the Business API simulator,
// seeds them, registers one team key per API and one Business API account, writes the keys and the CA to a temp
// dir, and returns the JSON line to print.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startBusinessSimulator, type BusinessSimulator } from './business/index.js';
import { applyBusinessSeed, applySeed, parseSeedFile, type SeedFile } from './cli-seed.js';
import { startSimulator } from './index.js';
import type { ApiKind, Simulator } from './types.js';

export const USAGE = `Usage: simulator [--port <n>] [--host <addr>] [--tls] [--apple-hostnames] [--allow-developer-id-certificates]
                 [--business-port <n>] [--seed <file.json>] [--dir <dir>]

Starts the Apple API simulator (App Store Connect API and Enterprise Program API on one origin) and the Apple
Business API simulator (its own origin, with the OAuth token endpoint), registers one team API key per API and one
Business API account, writes each key (.p8 / .pem) and the CA certificate to a temporary directory (or --dir) and
prints one JSON line: {"url", "caCertPath", "dir", "keys": [{"api", "keyId", "issuerId", "privateKeyPath"}],
"certificates": [...], "business": {"url", "tokenUrl", "accounts": [{"clientId", "keyId", "scope", "privateKeyPath"}]}}.
  --tls                              HTTPS for both, with a server certificate signed by the simulator CA
  --apple-hostnames                  the certificate also names Apple's hosts (use with --tls and a hosts entry)
  --allow-developer-id-certificates  POST /v1/certificates creates Developer ID certificates (refused by default)
Runs until SIGINT or SIGTERM.`;

interface CliInfo {
  url: string;
  caCertPath: string;
  dir: string;
  keys: { api: ApiKind; keyId: string; issuerId: string | undefined; privateKeyPath: string }[];
  certificates: { ref: string; api: ApiKind; id: string; certificateType: string; privateKeyPath: string }[];
  business: { url: string; tokenUrl: string; accounts: { clientId: string; keyId: string; scope: string; privateKeyPath: string }[] };
}

export interface Started {
  sim: Simulator;
  business: BusinessSimulator;
  info: CliInfo;
}

function portArg(flag: string, v: string | undefined): number {
  const port = v === undefined ? 0 : Number(v);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${flag} '${v}' is not a port number`);
  return port;
}

export async function startFromArgs(argv: string[]): Promise<Started | { help: string }> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      tls: { type: 'boolean' },
      'apple-hostnames': { type: 'boolean' },
      'allow-developer-id-certificates': { type: 'boolean' },
      'business-port': { type: 'string' },
      seed: { type: 'string' },
      dir: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return { help: USAGE };
  const port = portArg('--port', values.port);
  const businessPort = portArg('--business-port', values['business-port']);
  const seed: SeedFile = values.seed ? parseSeedFile(await readFile(values.seed, 'utf8'), values.seed) : {};
  const host = values.host ? { host: values.host } : {};
  const sim = await startSimulator({
    ...seed.options,
    port,
    tls: values.tls ?? false,
    ...host,
    ...(values['apple-hostnames'] ? { appleHostnames: true } : {}),
    ...(values['allow-developer-id-certificates'] ? { allowDeveloperIdCertificateCreation: true } : {}),
  });
  let business: BusinessSimulator | undefined;
  try {
    business = await startBusinessSimulator({ port: businessPort, ...host, ...(sim.tlsCredentials ? { tls: sim.tlsCredentials } : {}) });
    const dir = values.dir ?? (await mkdtemp(path.join(tmpdir(), 'apple-api-simulator-')));
    const caCertPath = path.join(dir, 'simulator-ca.pem');
    await writeFile(caCertPath, sim.caCertPem);
    const keys: CliInfo['keys'] = [];
    for (const api of ['app-store-connect', 'enterprise'] as const) {
      const key = sim.addKey({ api, kind: 'team' });
      const privateKeyPath = path.join(dir, `AuthKey_${key.keyId}.p8`);
      await writeFile(privateKeyPath, key.privateKeyPem, { mode: 0o600 });
      keys.push({ api, keyId: key.keyId, issuerId: key.issuerId, privateKeyPath });
    }
    const certificates: CliInfo['certificates'] = [];
    for (const c of applySeed(sim, seed)) {
      const privateKeyPath = path.join(dir, `certificate-${c.id}.key.pem`);
      await writeFile(privateKeyPath, c.privateKeyPem, { mode: 0o600 });
      certificates.push({ ref: c.ref, api: c.api, id: c.id, certificateType: c.certificateType, privateKeyPath });
    }
    applyBusinessSeed(business, seed);
    const account = business.addAccount();
    const businessKeyPath = path.join(dir, `business-${account.keyId}.pem`);
    await writeFile(businessKeyPath, account.privateKeyPem, { mode: 0o600 });
    const businessInfo: CliInfo['business'] = {
      url: business.url,
      tokenUrl: business.tokenUrl,
      accounts: [{ clientId: account.clientId, keyId: account.keyId, scope: account.scope, privateKeyPath: businessKeyPath }],
    };
    return { sim, business, info: { url: sim.url, caCertPath, dir, keys, certificates, business: businessInfo } };
  } catch (e) {
    await sim.close();
    await business?.close();
    throw e;
  }
}
