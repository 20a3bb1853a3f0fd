// The simulator's command line, as a function: parses flags, starts the simulator, seeds it, registers one
// team key per API, writes the keys (.p8) and the CA to a temp dir, and returns the JSON line to print.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { applySeed, parseSeedFile, type SeedFile } from './cli-seed.js';
import { startSimulator } from './index.js';
import type { ApiKind, Simulator } from './types.js';

export const USAGE = `Usage: simulator [--port <n>] [--host <addr>] [--tls] [--seed <file.json>] [--dir <dir>]

Starts the Apple API simulator (App Store Connect API and Enterprise Program API on one origin), registers one
team API key per API, writes each key's .p8 and the CA certificate to a temporary directory (or --dir) and prints
one JSON line: {"url", "caCertPath", "keys": [{"api", "keyId", "issuerId", "privateKeyPath"}], "certificates": [...]}.
Runs until SIGINT or SIGTERM.`;

export interface CliInfo {
  url: string;
  caCertPath: string;
  dir: string;
  keys: { api: ApiKind; keyId: string; issuerId: string | undefined; privateKeyPath: string }[];
  certificates: { ref: string; api: ApiKind; id: string; certificateType: string; privateKeyPath: string }[];
}

export async function startFromArgs(argv: string[]): Promise<{ sim: Simulator; info: CliInfo } | { help: string }> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      tls: { type: 'boolean' },
      seed: { type: 'string' },
      dir: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return { help: USAGE };
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port '${values.port}' is not a port number`);
  const seed: SeedFile = values.seed ? parseSeedFile(await readFile(values.seed, 'utf8'), values.seed) : {};
  const sim = await startSimulator({ ...seed.options, port, tls: values.tls ?? false, ...(values.host ? { host: values.host } : {}) });
  try {
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
    return { sim, info: { url: sim.url, caCertPath, dir, keys, certificates } };
  } catch (e) {
    await sim.close();
    throw e;
  }
}
