// Test helpers for download-certificate: the `security` stand-in's record and state, and openssl checks.
import { execFileSync, spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from '../support/runner.js';

export const FAKE_SECURITY_BIN = path.join(ROOT, 'test/support/fake-security');

interface FakeKeychain {
  password: string;
  unlocked: boolean;
  settings: string[];
  identities: { commonName: string; sha1: string; hasKey: boolean; trusted: string[] }[];
  partitionList: string | null;
}

export interface FakeSecurity {
  dir: string;
  env: Record<string, string>;
  /** Every call's argv, in order. */
  calls(): string[][];
  searchList(): string[];
  keychains(): Record<string, FakeKeychain>;
}

/** A fresh stand-in state whose search list starts as `initial`. */
export async function fakeSecurity(initial: string[]): Promise<FakeSecurity> {
  const dir = await mkdtemp(path.join(tmpdir(), 'asa-security-'));
  await writeFile(path.join(dir, 'search-list.json'), JSON.stringify(initial));
  const read = <T>(file: string, fallback: T): T =>
    existsSync(path.join(dir, file)) ? (JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as T) : fallback;
  return {
    dir,
    env: { FAKE_SECURITY_DIR: dir },
    calls: () =>
      (existsSync(path.join(dir, 'calls.jsonl')) ? readFileSync(path.join(dir, 'calls.jsonl'), 'utf8') : '')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { args: string[] }).args),
    searchList: () => read<string[]>('search-list.json', []),
    keychains: () => read<Record<string, FakeKeychain>>('keychains.json', {}),
  };
}

/** An identity exported the way users make one: `openssl pkcs12 -export` (OpenSSL 3 defaults unless `extra` says otherwise). */
export async function opensslExportP12(privateKeyPem: string, certificateDer: Buffer, password: string, extra: string[] = []): Promise<Buffer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'asa-in-'));
  await writeFile(path.join(dir, 'key.pem'), privateKeyPem);
  await writeFile(path.join(dir, 'cert.der'), certificateDer);
  execFileSync('openssl', ['x509', '-inform', 'DER', '-in', path.join(dir, 'cert.der'), '-out', path.join(dir, 'cert.pem')]);
  const out = path.join(dir, 'id.p12');
  execFileSync('openssl', [
    'pkcs12',
    '-export',
    ...extra,
    '-inkey',
    path.join(dir, 'key.pem'),
    '-in',
    path.join(dir, 'cert.pem'),
    '-out',
    out,
    '-passout',
    `pass:${password}`,
  ]);
  return readFileSync(out);
}

/** `openssl pkcs12 -in <file> -passin pass:<pw> -nodes`: the PEM blocks inside (OpenSSL 3 opens 3DES without -legacy). */
export function opensslOpenP12(file: string, password: string): { certificatePem: string; privateKeyPem: string; info: string } {
  const out = execFileSync('openssl', ['pkcs12', '-in', file, '-passin', `pass:${password}`, '-nodes'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // -info writes the structure (MAC, bag encryption) to stderr.
  const infoRun = spawnSync('openssl', ['pkcs12', '-in', file, '-passin', `pass:${password}`, '-info', '-noout'], { encoding: 'utf8' });
  const info = `${infoRun.stdout}${infoRun.stderr}`;
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(out)?.[0] ?? '';
  const key = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(out)?.[0] ?? '';
  return { certificatePem: cert, privateKeyPem: key, info: `${info}` };
}

/** Whether the private key is the one the certificate was issued for. */
export function keyFitsCertificate(privateKeyPem: string, certificate: string | Buffer): boolean {
  const x = new X509Certificate(certificate);
  return (
    x.checkPrivateKey(createPrivateKey(privateKeyPem)) &&
    x.publicKey.export({ type: 'spki', format: 'der' }).equals(createPublicKey(privateKeyPem).export({ type: 'spki', format: 'der' }))
  );
}

/** SHA-1 of a DER certificate as 40 upper-case hex digits. */
export function sha1Of(der: Buffer): string {
  return new X509Certificate(der).fingerprint.replace(/:/g, '');
}

/** The CN of a DER certificate. */
export function commonNameOf(der: Buffer): string {
  return /CN=([^\n]+)/.exec(new X509Certificate(der).subject)?.[1] ?? '';
}
