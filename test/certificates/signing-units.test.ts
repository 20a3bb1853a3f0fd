// Unit tests of the pure parts: PKCS#12 in/out, the passphrase seal, security's redaction and the
// search-list bookkeeping. The bundled action is tested end to end in the other files.
import { execFileSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { seal, unseal, WrongPassphraseError, SealedFormatError } from '../../src/certificates/identity-crypto.js';
import { IdentityStore, storeKeyPrefix, type CachePort } from '../../src/certificates/identity-store.js';
import { KeychainError, redact, SecurityTool, type CommandResult } from '../../src/keychain/keychain.js';
import { installIdentity, removeIdentity } from '../../src/keychain/install.js';
import { Pkcs12Error, readPkcs12, writePkcs12 } from '../../src/certificates/pkcs12.js';
import { thrown } from '../support/thrown.js';
import { keyFitsCertificate } from './helpers.js';

let dir: string;
let keyPem: string;
let certDer: Buffer;
const p12 = (name: string): Buffer => readFileSync(path.join(dir, name));

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'asa-p12-units-'));
  keyPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  await writeFile(path.join(dir, 'key.pem'), keyPem);
  const o = (args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  o(['req', '-x509', '-key', 'key.pem', '-out', 'cert.pem', '-subj', '/CN=Apple Development: Unit Test (TEAM123456)', '-days', '30']);
  o(['x509', '-in', 'cert.pem', '-outform', 'DER', '-out', 'cert.der']);
  certDer = readFileSync(path.join(dir, 'cert.der'));
  const base = ['pkcs12', '-export', '-inkey', 'key.pem', '-in', 'cert.pem'];
  o([...base, '-out', 'aes.p12', '-passout', 'pass:pw']);
  o([...base, '-legacy', '-out', '3des.p12', '-passout', 'pass:pw']);
  o([...base, '-legacy', '-certpbe', 'PBE-SHA1-RC2-40', '-out', 'rc2.p12', '-passout', 'pass:pw']);
  o([...base, '-out', 'empty.p12', '-passout', 'pass:']);
  o([...base, '-keypbe', 'NONE', '-certpbe', 'NONE', '-nomac', '-out', 'plain.p12', '-passout', 'pass:']);
  // One count over the limit in each place a p12 holds one: the MAC, the shrouded key bag, the encrypted certificates (PBES2).
  const over = ['-iter', '1000001'];
  o([...base, ...over, '-keypbe', 'NONE', '-certpbe', 'NONE', '-out', 'mac-iter.p12', '-passout', 'pass:pw']);
  o([...base, ...over, '-legacy', '-nomac', '-certpbe', 'NONE', '-out', 'key-iter.p12', '-passout', 'pass:pw']);
  o([...base, ...over, '-nomac', '-keypbe', 'NONE', '-certpbe', 'AES-256-CBC', '-out', 'cert-iter.p12', '-passout', 'pass:pw']);
});

describe('PKCS#12', () => {
  it.each([
    ['OpenSSL 3 default (PBES2/AES-256, SHA-256 MAC)', 'aes.p12', 'pw'],
    ['legacy 3DES', '3des.p12', 'pw'],
    ['RC2-40 certificate bag', 'rc2.p12', 'pw'],
    ['empty password', 'empty.p12', undefined],
    ['no encryption and no MAC', 'plain.p12', undefined],
  ])('reads a %s p12 with its key and certificate', (_label, file, password) => {
    const c = readPkcs12(p12(file), password);
    expect(c.privateKeysPem).toHaveLength(1);
    expect(c.certificatesDer.map((d) => d.equals(certDer))).toEqual([true]);
    expect(keyFitsCertificate(c.privateKeysPem[0] ?? '', certDer)).toBe(true);
  });

  it('tells a wrong password from a missing one and from bytes that are no p12', () => {
    const problem = (f: () => unknown): string => {
      try {
        f();
        return 'none';
      } catch (err) {
        return err instanceof Pkcs12Error ? `${err.problem}: ${err.message}` : String(err);
      }
    };
    expect(problem(() => readPkcs12(p12('aes.p12'), 'nope'))).toBe('password: cannot be opened with the given password');
    expect(problem(() => readPkcs12(p12('3des.p12'), undefined))).toBe('password: needs a password, and none was given');
    expect(problem(() => readPkcs12(Buffer.from('not a p12 at all'), 'pw'))).toMatch(/^not-pkcs12: /);
  });

  it.each(['mac-iter.p12', 'key-iter.p12', 'cert-iter.p12'])('refuses %s, whose iteration count is over 1,000,000, before deriving any key', (file) => {
    const start = performance.now();
    expect(() => readPkcs12(p12(file), 'pw')).toThrow(
      new Pkcs12Error(
        'unreadable',
        'asks for 1000001 key-derivation iterations, more than the 1000000 this action allows; export it again (Keychain Access and openssl pkcs12 -export use 2048)',
      ),
    );
    expect(performance.now() - start).toBeLessThan(1000);
  });

  it('says a damaged key bag cannot be read with a Pkcs12Error, never the error OpenSSL raised', () => {
    const keyDer = createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der' });
    const bytes = Buffer.from(p12('plain.p12'));
    // The RSAPrivateKey inside the PrivateKeyInfo starts with its version, INTEGER 0, then the modulus.
    const version = Buffer.from('020100028201', 'hex');
    const at = bytes.indexOf(keyDer) + keyDer.indexOf(version);
    expect(bytes.indexOf(keyDer)).toBeGreaterThan(0);
    bytes[at] = 0x05; // the version becomes a NULL: neither forge nor OpenSSL reads the key
    expect(thrown(Pkcs12Error, () => readPkcs12(bytes, undefined)).message).toBe(
      'holds a private key that cannot be read (its bag is damaged); export the identity again from Keychain Access or with openssl pkcs12 -export',
    );
  });

  it('writes 3DES key bags with a SHA-1 MAC, which openssl opens without -legacy and forge reads back', async () => {
    const out = writePkcs12({ privateKeyPem: keyPem, certificateDer: certDer, password: 's3cret', friendlyName: 'Unit' });
    await writeFile(path.join(dir, 'ours.p12'), out);
    const err = execFileSync('sh', ['-c', 'openssl pkcs12 -in ours.p12 -passin pass:s3cret -info -noout 2>&1'], { cwd: dir, encoding: 'utf8' });
    expect(err).toMatch(/MAC: sha1, Iteration 2048/);
    expect(err).toMatch(/Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048/);
    expect(err).not.toMatch(/PBES2|AES/);
    const back = readPkcs12(out, 's3cret');
    expect(keyFitsCertificate(back.privateKeysPem[0] ?? '', certDer)).toBe(true);
  });
});

describe('identity seal (scrypt + AES-256-GCM)', () => {
  const fast = { N: 2 ** 14, r: 8, p: 1 };

  it('opens with the passphrase and refuses any other, or any change to the file', async () => {
    const sealed = await seal(Buffer.from('SECRET-PLAINTEXT'), 'pass phrase', fast);
    expect((await unseal(sealed, 'pass phrase')).toString()).toBe('SECRET-PLAINTEXT');
    await expect(unseal(sealed, 'pass phrase ')).rejects.toBeInstanceOf(WrongPassphraseError);
    const file = JSON.parse(sealed.toString()) as Record<string, unknown>;
    const tampered = Buffer.from(JSON.stringify({ ...file, iv: Buffer.alloc(12, 1).toString('base64') }));
    await expect(unseal(tampered, 'pass phrase')).rejects.toBeInstanceOf(WrongPassphraseError);
    expect(sealed.toString()).not.toContain('SECRET-PLAINTEXT');
    expect(sealed.toString()).not.toContain(Buffer.from('SECRET-PLAINTEXT').toString('base64'));
  });

  it('uses a memory-hard default (N >= 2^15) and refuses hostile KDF parameters', async () => {
    const sealed = JSON.parse((await seal(Buffer.from('x'), 'p')).toString()) as { kdf: { N: number; r: number } };
    expect(sealed.kdf.N).toBeGreaterThanOrEqual(2 ** 15);
    expect(sealed.kdf.N * sealed.kdf.r * 128).toBeGreaterThanOrEqual(32 * 1024 * 1024);
    const hostile = Buffer.from(JSON.stringify({ ...sealed, kdf: { ...sealed.kdf, N: 2 ** 30 } }));
    await expect(unseal(hostile, 'p')).rejects.toBeInstanceOf(SealedFormatError);
  });
});

describe('sealed files it refuses', () => {
  it('gives one clause for every malformed file, before any key derivation', async () => {
    const good = JSON.parse((await seal(Buffer.from('x'), 'p', { N: 2 ** 14, r: 8, p: 1 })).toString()) as { kdf: Record<string, unknown> } & Record<
      string,
      unknown
    >;
    const b64 = (n: number): string => Buffer.alloc(n, 7).toString('base64');
    const cases: [string, unknown, RegExp][] = [
      ['not JSON', 'not json', /^the saved identity is not JSON$/],
      ['JSON null', null, /not in a format this version reads/],
      ['another format', { ...good, format: 'x' }, /not in a format this version reads/],
      ['no scrypt', { ...good, kdf: { ...good.kdf, name: 'pbkdf2' } }, /names no scrypt key derivation/],
      ['N not a power of two', { ...good, kdf: { ...good.kdf, N: 3 * 2 ** 14 } }, /outside the accepted range/],
      ['N too large', { ...good, kdf: { ...good.kdf, N: 2 ** 21 } }, /outside the accepted range/],
      ['N as a string', { ...good, kdf: { ...good.kdf, N: '16384' } }, /outside the accepted range/],
      ['512 MiB of memory', { ...good, kdf: { ...good.kdf, N: 2 ** 18, r: 16 } }, /outside the accepted range/],
      ['a 4-byte salt', { ...good, kdf: { ...good.kdf, salt: b64(4) } }, /salt is not 16 bytes of base64/],
      ['a 16-byte IV', { ...good, iv: b64(16) }, /IV is not 12 bytes of base64/],
      ['a 12-byte tag', { ...good, tag: b64(12) }, /authentication tag is not 16 bytes of base64/],
      ['a tag not base64', { ...good, tag: 'AAAA AAAA AAAA AAAA AAAA==' }, /authentication tag is not 16 bytes of base64/],
      ['no data', { ...good, data: '' }, /data is not base64/],
    ];
    for (const [what, file, message] of cases) {
      const err = await unseal(Buffer.from(typeof file === 'string' ? file : JSON.stringify(file)), 'p').catch((e: unknown) => e);
      expect(err, what).toBeInstanceOf(SealedFormatError);
      expect((err as Error).message, what).toMatch(message);
    }
    expect((await unseal(Buffer.from(JSON.stringify(good)), 'p')).toString()).toBe('x');
  });
});

describe('identity store entries it cannot use', () => {
  it('reports an entry under its own key that is not a sealed identity as unreadable, naming the key, rather than as a miss', async () => {
    const storeDir = await mkdtemp(path.join(tmpdir(), 'asa-store-'));
    const scope = { api: 'app-store-connect', account: 'issuer', certificateType: 'DISTRIBUTION' };
    const key = `${await storeKeyPrefix(scope, 'pw')}ABC123`;
    const port: CachePort = {
      restore: async (paths) => {
        const file = path.join(storeDir, paths[0] ?? '');
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, '{"format":"something-else"}');
        return key;
      },
      save: async () => true,
    };
    const result = await new IdentityStore(port, storeDir).load(scope, 'pw');
    expect(result).toEqual({ kind: 'unreadable', key, reason: 'the saved identity is not in a format this version reads' });
    const miss: CachePort = { restore: async () => undefined, save: async () => true };
    expect(await new IdentityStore(miss, storeDir).load(scope, 'pw')).toEqual({ kind: 'miss' });
  });
});

describe('security without echo', () => {
  it('redacts the value after -p, -P and -k, and never puts a password in an error', async () => {
    expect(redact(['import', 'a.p12', '-k', 'kc', '-P', 'p12pw', '-T', '/usr/bin/codesign'])).toBe('import a.p12 -k *** -P *** -T /usr/bin/codesign');
    const tool = new SecurityTool(async () => ({
      exitCode: 51,
      stdout: '',
      stderr: 'security: SecKeychainUnlock: The user name or passphrase you entered is not correct.',
    }));
    const err = await tool.unlock('/tmp/x.keychain-db', 'kc-password').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeychainError);
    expect((err as Error).message).toBe(
      'Unlocking the keychain failed: security unlock-keychain -p *** /tmp/x.keychain-db exited with 51: security: SecKeychainUnlock: The user name or passphrase you entered is not correct..',
    );
  });

  it('reports the created keychain before a later command fails, so the post step can delete it', async () => {
    const calls: string[] = [];
    const tool = new SecurityTool(async (_t, args): Promise<CommandResult> => {
      calls.push(args[0] ?? '');
      return args[0] === 'import' ? { exitCode: 1, stdout: '', stderr: 'MAC verification failed' } : { exitCode: 0, stdout: '', stderr: '' };
    });
    const remembered: object[] = [];
    await expect(
      installIdentity(tool, { keychain: '/t/k.keychain-db', password: 'pw', create: true, p12Path: '/t/i.p12', p12Password: 'x' }, (s) => remembered.push(s)),
    ).rejects.toBeInstanceOf(KeychainError);
    expect(calls).toEqual(['create-keychain', 'set-keychain-settings', 'unlock-keychain', 'import']);
    expect(remembered).toEqual([{ createdKeychain: '/t/k.keychain-db' }]);
  });

  it('puts back an original entry that deleting the keychain dropped, and keeps entries added since', async () => {
    let list = ['/later.keychain-db', '/mine.keychain-db'];
    const tool = new SecurityTool(async (_t, args): Promise<CommandResult> => {
      if (args[0] === 'list-keychains' && args.includes('-s')) list = args.slice(args.indexOf('-s') + 1);
      if (args[0] === 'delete-keychain') list = list.filter((k) => k !== args[1]);
      return { exitCode: 0, stdout: args[0] === 'list-keychains' ? list.map((k) => `    "${k}"\n`).join('') : '', stderr: '' };
    });
    const report = await removeIdentity(tool, {
      createdKeychain: '/mine.keychain-db',
      addedToSearchList: '/mine.keychain-db',
      originalSearchList: ['/login.keychain-db'],
    });
    expect(report).toEqual({ deleted: true, searchListRestored: true, problems: [] });
    expect(list).toEqual(['/later.keychain-db', '/login.keychain-db']);
  });
});
