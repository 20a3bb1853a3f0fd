import { execFileSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type ApiKeyCredentials, type Simulator } from '../../simulator/index.js';
import { assertTrafficValid } from '../support/openapi.js';
import { findLeaks, runStep, type StepResult } from '../support/runner.js';
import { commonNameOf, FAKE_SECURITY_BIN, fakeSecurity, keyFitsCertificate, opensslExportP12, opensslOpenP12, sha1Of } from './helpers.js';

let sim: Simulator;
let key: ApiKeyCredentials;
type Seeded = ReturnType<Simulator['seed']['certificate']>;
let dist: Seeded[];
let expired: Seeded;

const DAY = 86_400_000;
const api = (): Record<string, string> => ({ 'key-id': key.keyId, 'issuer-id': key.issuerId ?? '', 'private-key': key.privateKeyPem, 'api-base-url': sim.url });
const der = (c: Seeded): Buffer => Buffer.from(c.certificateContent, 'base64');
const posts = (): number => sim.requests.filter((r) => r.method === 'POST' && r.path === '/v1/certificates').length;
const output = (...runs: StepResult[]): string => runs.map((r) => `${r.stdout}\n${r.stderr}`).join('\n');

beforeAll(async () => {
  sim = await startSimulator({ certificateLimitPerType: 6 });
  key = sim.addKey({ api: 'app-store-connect', kind: 'team' });
  dist = [0, 1, 2].map(() => sim.seed.certificate({ certificateType: 'DISTRIBUTION' }));
  expired = sim.seed.certificate({ certificateType: 'DISTRIBUTION', expiresAt: new Date(Date.now() - 2 * DAY) });
  sim.seed.certificate({ certificateType: 'DEVELOPMENT' });
});
afterAll(() => sim.close());
afterEach(() => {
  assertTrafficValid(sim.requests);
  sim.faults.clear();
  sim.clearRequests();
});

describe('download-certificate (bundled, against the simulator, with a recording security stand-in)', () => {
  it('picks the certificate whose public key matches signing-key among several, imports it with the exact security calls, and the post step removes it all', async () => {
    const target = dist[1] as Seeded;
    const login = '/Users/runner/Library/Keychains/login.keychain-db';
    const other = '/Users/runner/Library/Keychains/team-ci.keychain-db';
    const sec = await fakeSecurity([login, other]);
    const main = await runStep(
      'download-certificate',
      { ...api(), 'certificate-type': 'DISTRIBUTION', 'signing-key': target.privateKeyPem },
      { pathPrefix: [FAKE_SECURITY_BIN], env: sec.env },
    );
    expect(main.exitCode, main.stdout).toBe(0);
    const o = main.outputs;
    expect(o['certificate-id']).toBe(target.id);
    expect(o['created']).toBe('false');
    expect(o['serial-number']).toBe(target.serialNumber);
    expect(o['sha1']).toMatch(/^[0-9A-F]{40}$/);
    expect(o['sha1']).toBe(sha1Of(der(target)));
    expect(o['signing-identity']).toBe(commonNameOf(der(target)));
    expect(o['signing-identity']).toMatch(/^Apple Distribution: /);
    expect(new Date(o['expiration-date'] ?? '').toISOString().slice(0, 10)).toBe(target.expirationDate.toISOString().slice(0, 10));
    expect(o['p12-base64']).toBe('');
    expect(posts()).toBe(0);
    expect(readFileSync(o['certificate-path'] ?? '')).toEqual(der(target));

    // The p12 opens with openssl and the given password, holding this certificate and its key.
    const p12Password = o['p12-password'] ?? '';
    expect(p12Password.length).toBeGreaterThanOrEqual(24);
    const opened = opensslOpenP12(o['p12-path'] ?? '', p12Password);
    const p12Base64 = readFileSync(o['p12-path'] ?? '').toString('base64');
    expect(opened.info).toMatch(/MAC: sha1/);
    expect(opened.info).toMatch(/pbeWithSHA1And3-KeyTripleDES-CBC/);
    expect(new Uint8Array(Buffer.from(opened.certificatePem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64'))).toEqual(new Uint8Array(der(target)));
    expect(keyFitsCertificate(opened.privateKeyPem, der(target))).toBe(true);

    // The exact security calls, in order; the keychain is prepended to the search list, never replacing it.
    const kc = o['keychain-path'] ?? '';
    expect(path.dirname(kc)).toBe(main.runnerTemp);
    expect(kc).toMatch(/\.keychain-db$/);
    const calls = sec.calls();
    const kcPassword = calls[0]?.[2] ?? '';
    expect(kcPassword.length).toBeGreaterThanOrEqual(24);
    expect(calls).toEqual([
      ['create-keychain', '-p', kcPassword, kc],
      ['set-keychain-settings', '-lut', '21600', kc],
      ['unlock-keychain', '-p', kcPassword, kc],
      ['import', o['p12-path'], '-k', kc, '-f', 'pkcs12', '-P', p12Password, '-T', '/usr/bin/codesign', '-T', '/usr/bin/security'],
      ['set-key-partition-list', '-S', 'apple-tool:,apple:,codesign:', '-s', '-k', kcPassword, kc],
      ['list-keychains', '-d', 'user'],
      ['list-keychains', '-d', 'user', '-s', kc, login, other],
    ]);
    expect(sec.searchList()).toEqual([kc, login, other]);
    expect(sec.keychains()[kc]?.identities).toEqual([
      { commonName: o['signing-identity'], sha1: o['sha1'], hasKey: true, trusted: ['/usr/bin/codesign', '/usr/bin/security'] },
    ]);

    // State: paths only; no secret.
    expect(Object.keys(main.state).sort()).toEqual([
      'cleanup-paths',
      'created-keychain',
      'created-keychain-marker',
      'search-list-added',
      'search-list-original',
    ]);
    // The marker beside the keychain holds the random value state carries.
    expect(readFileSync(`${kc}.marker`, 'utf8').trim()).toBe(main.state['created-keychain-marker']);
    expect(findLeaks(JSON.stringify(main.state), [target.privateKeyPem, p12Password, kcPassword])).toEqual([]);
    expect(main.summary).toContain(target.id);

    // Post: reads only state (no inputs at all), deletes the keychain, restores the list, removes the key files.
    const post = await runStep(
      'download-certificate',
      {},
      { bundle: 'download-certificate-post', state: main.state, home: main.home, runnerTemp: main.runnerTemp, pathPrefix: [FAKE_SECURITY_BIN], env: sec.env },
    );
    expect(post.exitCode, post.stdout).toBe(0);
    expect(post.warnings).toEqual([]);
    expect(sec.calls().slice(calls.length)).toEqual([
      ['delete-keychain', kc],
      ['list-keychains', '-d', 'user'],
    ]);
    expect(sec.searchList()).toEqual([login, other]);
    expect(existsSync(kc)).toBe(false);
    expect(existsSync(o['p12-path'] ?? '')).toBe(false);
    expect(existsSync(path.dirname(o['p12-path'] ?? ''))).toBe(false);
    expect(await readdir(main.runnerTemp)).toEqual([]);

    // Leak scan over everything main and post printed: the signing key, both passwords, the API key.
    expect(findLeaks(output(main, post), [target.privateKeyPem, p12Password, kcPassword, key.privateKeyPem, p12Base64, opened.privateKeyPem])).toEqual([]);
  });

  it('keeps an entry another step added to the search list when the post step takes its own keychain off', async () => {
    const login = '/Users/runner/Library/Keychains/login.keychain-db';
    const sec = await fakeSecurity([login]);
    const main = await runStep(
      'download-certificate',
      { ...api(), 'certificate-type': 'DISTRIBUTION', 'signing-key': (dist[0] as Seeded).privateKeyPem },
      { pathPrefix: [FAKE_SECURITY_BIN], env: sec.env },
    );
    expect(main.exitCode, main.stdout).toBe(0);
    const kc = main.outputs['keychain-path'] ?? '';
    const later = '/Users/runner/Library/Keychains/later-step.keychain-db';
    await writeFile(path.join(sec.dir, 'search-list.json'), JSON.stringify([later, ...sec.searchList()]));
    const post = await runStep(
      'download-certificate',
      {},
      { bundle: 'download-certificate-post', state: main.state, runnerTemp: main.runnerTemp, pathPrefix: [FAKE_SECURITY_BIN], env: sec.env },
    );
    expect(post.exitCode).toBe(0);
    expect(sec.searchList()).toEqual([later, login]);
    expect(sec.keychains()[kc]).toBeUndefined();
    // A second post run (the keychain is already gone) is quiet and changes nothing.
    const callsBefore = sec.calls().length;
    const again = await runStep(
      'download-certificate',
      {},
      { bundle: 'download-certificate-post', state: main.state, runnerTemp: main.runnerTemp, pathPrefix: [FAKE_SECURITY_BIN], env: sec.env },
    );
    expect(again.exitCode).toBe(0);
    expect(again.warnings).toEqual([]);
    expect(again.stdout).toMatch(/is already gone/);
    expect(sec.calls().slice(callsBefore)).toEqual([['list-keychains', '-d', 'user']]);
    expect(sec.searchList()).toEqual([later, login]);
  });

  it('creates a certificate with create-if-missing when no key is given, and outputs the new identity as a masked p12-base64', async () => {
    const before = sim.state().certificates.length;
    // No security stand-in on PATH: import auto writes the files, skips the keychain, and succeeds.
    const main = await runStep('download-certificate', { ...api(), 'certificate-type': 'DISTRIBUTION', 'create-if-missing': 'true' });
    expect(main.exitCode, main.stdout).toBe(0);
    expect(main.stdout).toMatch(/keychain was skipped/);
    const o = main.outputs;
    expect(o['created']).toBe('true');
    expect(o['keychain-path']).toBe('');
    expect(posts()).toBe(1);
    expect(sim.state().certificates.length).toBe(before + 1);
    const created = sim.state().certificates.find((c) => c.id === o['certificate-id']);
    expect(created?.certificateType).toBe('DISTRIBUTION');
    // The masked output is the identity: it opens with the output password and holds Apple's certificate and the new key.
    const p12Base64 = o['p12-base64'] ?? '';
    expect(main.stdout).toContain('::add-mask::' + p12Base64);
    expect(main.stdout).toContain('::add-mask::' + (o['p12-password'] ?? ''));
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'asa-p12-')), 'new.p12');
    await writeFile(file, Buffer.from(p12Base64, 'base64'));
    const opened = opensslOpenP12(file, o['p12-password'] ?? '');
    expect(keyFitsCertificate(opened.privateKeyPem, Buffer.from(created?.certificateContent ?? '', 'base64'))).toBe(true);
    expect(createPrivateKey(opened.privateKeyPem).asymmetricKeyDetails).toMatchObject({ modulusLength: 2048 });
    expect(main.summary).toMatch(/created by this run/);
    const post = await runStep('download-certificate', {}, { bundle: 'download-certificate-post', state: main.state, runnerTemp: main.runnerTemp });
    expect(post.exitCode).toBe(0);
    expect(existsSync(o['p12-path'] ?? '')).toBe(false);
    expect(findLeaks(output(main, post), [opened.privateKeyPem, p12Base64, o['p12-password'] ?? '', key.privateKeyPem])).toEqual([]);
  });

  it('accepts a password-less p12 and an OpenSSL 3 default (AES/PBES2) p12, and writes a 3DES one macOS imports', async () => {
    const target = dist[2] as Seeded;
    const noPwP12 = await opensslExportP12(target.privateKeyPem, der(target), '');
    const aesP12 = await opensslExportP12(target.privateKeyPem, der(target), 'hunter2 and more');

    const sec = await fakeSecurity(['/Users/runner/Library/Keychains/login.keychain-db']);
    const noPw = await runStep(
      'download-certificate',
      { ...api(), 'certificate-type': 'DISTRIBUTION', p12: noPwP12.toString('base64') },
      { pathPrefix: [FAKE_SECURITY_BIN], env: sec.env },
    );
    expect(noPw.exitCode, noPw.stdout).toBe(0);
    expect(noPw.outputs['certificate-id']).toBe(target.id);
    expect(noPw.outputs['p12-password']).not.toBe('');
    expect(keyFitsCertificate(opensslOpenP12(noPw.outputs['p12-path'] ?? '', noPw.outputs['p12-password'] ?? '').privateKeyPem, der(target))).toBe(true);

    const aes = await runStep(
      'download-certificate',
      { ...api(), 'certificate-type': 'DISTRIBUTION', p12: aesP12.toString('base64'), 'p12-password': 'hunter2 and more' },
      { pathPrefix: [FAKE_SECURITY_BIN], env: sec.env },
    );
    expect(aes.exitCode, aes.stdout).toBe(0);
    expect(aes.outputs['p12-password']).toBe('hunter2 and more');
    expect(opensslOpenP12(aes.outputs['p12-path'] ?? '', 'hunter2 and more').info).toMatch(/pbeWithSHA1And3-KeyTripleDES-CBC/);
    // The stand-in, like macOS, refuses PBES2 p12s; the one the action wrote was imported.
    expect(sec.keychains()[aes.outputs['keychain-path'] ?? '']?.identities.map((i) => i.sha1)).toEqual([sha1Of(der(target))]);
    expect(findLeaks(output(noPw, aes), ['hunter2 and more', target.privateKeyPem, aesP12.toString('base64')])).toEqual([]);
  });

  it('fails with one sentence naming p12-password when the p12 does not open with it', async () => {
    const target = dist[0] as Seeded;
    const p12 = await opensslExportP12(target.privateKeyPem, der(target), 'right-password', ['-legacy']);
    const run = await runStep('download-certificate', {
      ...api(),
      'certificate-type': 'DISTRIBUTION',
      p12: p12.toString('base64'),
      'p12-password': 'wrong-password',
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([expect.stringMatching(/^Input p12 cannot be opened with the given password; pass the password .* in p12-password/)]);
    expect(findLeaks(output(run), ['wrong-password', 'right-password'])).toEqual([]);
  });

  it('fails with one sentence when the key belongs only to an expired certificate and create-if-missing is off', async () => {
    const run = await runStep('download-certificate', { ...api(), 'certificate-type': 'DISTRIBUTION', 'signing-key': expired.privateKeyPem });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(`${expired.id}`);
    expect(run.stdout).toMatch(/has this key but is expired/);
    expect(run.errors).toEqual([
      expect.stringMatching(
        /^No usable DISTRIBUTION certificates: none of the \d+ valid DISTRIBUTION certificates has the public key of signing-key; .*create-if-missing/,
      ),
    ]);
    expect(posts()).toBe(0);
  });

  it('says in one sentence what to do when Apple refuses another certificate (the certificate cap)', async () => {
    const held = Array.from({ length: 6 }, () => sim.seed.certificate({ certificateType: 'IOS_DISTRIBUTION' }).id);
    const run = await runStep('download-certificate', { ...api(), 'certificate-type': 'IOS_DISTRIBUTION', 'create-if-missing': 'true' });
    expect(run.exitCode).toBe(1);
    expect(posts()).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(
      /^Apple will not create another IOS_DISTRIBUTION certificate: the account already has as many current ones as Apple allows \(Apple: 409 ENTITY_ERROR "You already have a current iOS Distribution certificate or a pending certificate request\.", request id [^)]+\); the slots hold '.*' by '.*' \(\w+, expires [\d-]+\).*; set revoke-certificate-id to one of them .* reuse one .* signing-key .* identity-passphrase/,
    );
    expect(run.errors[0]?.split(/\.\s/).length).toBe(1);
    for (const id of held) expect(run.errors[0]).toContain(`(${id}, expires `);
  });

  it('says in one sentence what to do when the API key role may not create certificates (403)', async () => {
    sim.faults.add({ method: 'POST', path: '/v1/certificates', status: 403 });
    const run = await runStep('download-certificate', { ...api(), 'certificate-type': 'DEVELOPMENT', 'create-if-missing': 'true' });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      expect.stringMatching(
        /^Apple refused to create a DEVELOPMENT certificate because the API key's role does not allow it \(Apple: 403 FORBIDDEN_ERROR .*\); use a key with the Admin role/,
      ),
    ]);
  });

  it('says in one sentence that the Account Holder creates Developer ID certificates when Apple refuses to create one', async () => {
    sim.faults.add({
      method: 'POST',
      path: '/v1/certificates',
      status: 409,
      body: {
        errors: [
          {
            id: 'f409',
            status: '409',
            code: 'ENTITY_ERROR.ATTRIBUTE.INVALID',
            title: 'An attribute in the provided entity has invalid value',
            detail: "Certificates of type 'DEVELOPER_ID_APPLICATION' cannot be created through the API.",
            source: { pointer: '/data/attributes/certificateType' },
          },
        ],
      },
    });
    const run = await runStep('download-certificate', {
      ...api(),
      'certificate-type': 'DEVELOPER_ID_APPLICATION',
      'create-if-missing': 'true',
      import: 'false',
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      expect.stringMatching(
        /^Apple refused to create a DEVELOPER_ID_APPLICATION certificate \(Apple: 409 ENTITY_ERROR\.ATTRIBUTE\.INVALID .*\): Developer ID certificates are created by the Account Holder in Certificates, Identifiers & Profiles on developer\.apple\.com, not through the API, so have them create one and pass its private key as signing-key \(or its \.p12 as p12\) instead of create-if-missing\.$/,
      ),
    ]);
    expect(posts()).toBe(1);
  });

  it('warns with an annotation when the certificate expires within 30 days', async () => {
    const soon = sim.seed.certificate({ certificateType: 'DEVELOPMENT', expiresAt: new Date(Date.now() + 12 * DAY) });
    const run = await runStep('download-certificate', { ...api(), 'certificate-id': soon.id, 'signing-key': soon.privateKeyPem, import: 'false' });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs['certificate-id']).toBe(soon.id);
    expect(run.warnings).toEqual([
      expect.stringMatching(new RegExp(`^Certificate ".*" \\(${soon.id}\\) expires on \\d{4}-\\d\\d-\\d\\d, in 1[01] day\\(s\\)`)),
    ]);
    expect(run.stdout).toMatch(/::warning title=Certificate expires soon::/);
  });

  it('fails with one sentence when import is true and there is no security tool (Linux)', async () => {
    const run = await runStep('download-certificate', {
      ...api(),
      'certificate-type': 'DISTRIBUTION',
      'signing-key': (dist[0] as Seeded).privateKeyPem,
      import: 'true',
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([expect.stringMatching(/^import is true, but there is no security tool on PATH/)]);
    // The files written before the failure are still named in state for the post step.
    expect(JSON.parse(run.state['cleanup-paths'] ?? '[]')).toHaveLength(1);
  });

  it('refuses signing-key and p12 together, naming both', async () => {
    const run = await runStep('download-certificate', {
      ...api(),
      'certificate-type': 'DISTRIBUTION',
      'signing-key': (dist[0] as Seeded).privateKeyPem,
      p12: 'MIIB',
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      'Inputs signing-key and p12 are both given; pass the private key one way: signing-key (PEM) or p12 (base64 PKCS#12) with p12-password.',
    ]);
    expect(sim.requests).toHaveLength(0);
  });

  it("post step deletes no keychain that state alone names: not one outside RUNNER_TEMP, nor one of its name without main's marker", async () => {
    // What an injected `::save-state name=created-keychain::<path>` line would leave: state, and no marker.
    const sec = await fakeSecurity(['/Users/runner/Library/Keychains/login.keychain-db']);
    const runnerTemp = await mkdtemp(path.join(tmpdir(), 'asa-temp-'));
    const outside = path.join(await mkdtemp(path.join(tmpdir(), 'asa-victim-')), 'apple-signing-0123456789ab.keychain-db');
    const inside = path.join(runnerTemp, 'apple-signing-0123456789ab.keychain-db');
    const security = path.join(FAKE_SECURITY_BIN, 'security');
    for (const kc of [outside, inside]) execFileSync(security, ['create-keychain', '-p', 'Victim-Pw-1', kc], { env: { ...process.env, ...sec.env } });
    await writeFile(`${inside}.marker`, `${'0'.repeat(64)}\n`);
    for (const [kc, marker] of [
      [outside, ''],
      [inside, ''],
      [inside, 'f'.repeat(64)],
    ] as const) {
      const post = await runStep(
        'download-certificate',
        {},
        {
          bundle: 'download-certificate-post',
          state: { 'created-keychain': kc, ...(marker ? { 'created-keychain-marker': marker } : {}) },
          runnerTemp,
          pathPrefix: [FAKE_SECURITY_BIN],
          env: sec.env,
        },
      );
      expect(post.exitCode).toBe(0);
      expect(post.warnings).toEqual([expect.stringMatching(new RegExp(`^Cleanup incomplete: state names keychain ${kc}, but .*, so it was left\\.$`))]);
    }
    expect(sec.calls().filter((c) => c[0] === 'delete-keychain')).toEqual([]);
    expect(existsSync(outside) && existsSync(inside)).toBe(true);
    expect(Object.keys(sec.keychains()).sort()).toEqual([outside, inside].sort());
  });

  it('refuses a keychain-password under 4 characters in one sentence, and warns that a p12-password that short cannot be masked', async () => {
    const short = await runStep('download-certificate', {
      ...api(),
      'certificate-type': 'DISTRIBUTION',
      'signing-key': (dist[0] as Seeded).privateKeyPem,
      'keychain-password': 'abc',
    });
    expect(short.exitCode).toBe(1);
    expect(short.errors).toEqual([
      'Input keychain-password is shorter than 4 characters, which the runner cannot mask in logs; give the keychain a longer password, or leave keychain empty for a new temporary keychain.',
    ]);
    expect(sim.requests).toHaveLength(0);
    const target = dist[2] as Seeded;
    const p12 = await opensslExportP12(target.privateKeyPem, der(target), 'ab');
    const run = await runStep('download-certificate', {
      ...api(),
      'certificate-type': 'DISTRIBUTION',
      p12: p12.toString('base64'),
      'p12-password': 'ab',
      import: 'false',
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs['certificate-id']).toBe(target.id);
    expect(run.warnings).toEqual([
      'p12-password is shorter than 4 characters, so the runner cannot mask it and any log line holding it shows it; export the .p12 again with a longer password.',
    ]);
  });

  it('post step with no state says there is nothing to clean up and succeeds', async () => {
    const post = await runStep('download-certificate', {}, { bundle: 'download-certificate-post' });
    expect(post.exitCode).toBe(0);
    expect(post.stdout).toMatch(/Nothing to clean up/);
  });
});

describe('download-certificate when the keychain import fails half-way', () => {
  it('fails with one redacted sentence, and the post step still deletes the keychain it created and the key files', async () => {
    const login = '/Users/runner/Library/Keychains/login.keychain-db';
    const sec = await fakeSecurity([login]);
    const main = await runStep(
      'download-certificate',
      { ...api(), 'certificate-type': 'DISTRIBUTION', 'signing-key': (dist[0] as Seeded).privateKeyPem },
      { pathPrefix: [FAKE_SECURITY_BIN], env: { ...sec.env, FAKE_SECURITY_FAIL: 'import' } },
    );
    expect(main.exitCode).toBe(1);
    const kcPassword = sec.calls()[0]?.[2] ?? '';
    expect(main.errors).toEqual([
      expect.stringMatching(
        /^Importing the identity failed: security import \S+\.p12 -k \S+ -f pkcs12 -P \*\*\* -T \/usr\/bin\/codesign -T \/usr\/bin\/security exited with 1: /,
      ),
    ]);
    const kc = main.state['created-keychain'] ?? '';
    expect(kc).not.toBe('');
    expect(main.state['search-list-added']).toBeUndefined();
    const post = await runStep(
      'download-certificate',
      {},
      { bundle: 'download-certificate-post', state: main.state, runnerTemp: main.runnerTemp, pathPrefix: [FAKE_SECURITY_BIN], env: sec.env },
    );
    expect(post.exitCode).toBe(0);
    expect(sec.keychains()[kc]).toBeUndefined();
    expect(sec.searchList()).toEqual([login]);
    expect(await readdir(main.runnerTemp)).toEqual([]);
    expect(findLeaks(output(main, post), [kcPassword, (dist[0] as Seeded).privateKeyPem])).toEqual([]);
  });
});

describe('download-certificate when the keychain fails after a certificate was created', () => {
  it('still outputs the new identity (masked) and fails with one sentence saying to store it', async () => {
    const sec = await fakeSecurity(['/Users/runner/Library/Keychains/login.keychain-db']);
    const main = await runStep(
      'download-certificate',
      { ...api(), 'certificate-type': 'DEVELOPMENT', 'create-if-missing': 'true' },
      { pathPrefix: [FAKE_SECURITY_BIN], env: { ...sec.env, FAKE_SECURITY_FAIL: 'import' } },
    );
    expect(main.exitCode).toBe(1);
    expect(main.outputs['created']).toBe('true');
    const id = main.outputs['certificate-id'] ?? '';
    expect(sim.state().certificates.some((c) => c.id === id)).toBe(true);
    expect(main.errors).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Importing the identity failed: .*; certificate ${id} was created by this run and its identity is in the p12-base64 and p12-password outputs, so store them as secrets before running again \\(or revoke it\\)\\.$`,
        ),
      ),
    ]);
    expect(main.stdout).toContain(`::add-mask::${main.outputs['p12-base64'] ?? 'missing'}`);
    expect(findLeaks(output(main), [main.outputs['p12-base64'] ?? '', main.outputs['p12-password'] ?? ''])).toEqual([]);
  });
});

describe('download-certificate into an existing keychain', () => {
  it('unlocks and uses it without creating it, and the post step only takes it off the search list', async () => {
    const login = '/Users/runner/Library/Keychains/login.keychain-db';
    const sec = await fakeSecurity([login]);
    const kc = path.join(await mkdtemp(path.join(tmpdir(), 'asa-kc-')), 'build.keychain-db');
    execFileSync(path.join(FAKE_SECURITY_BIN, 'security'), ['create-keychain', '-p', 'Kc-Pw-7f3d9a2b', kc], { env: { ...process.env, ...sec.env } });
    const missingPassword = await runStep(
      'download-certificate',
      { ...api(), 'certificate-type': 'DISTRIBUTION', 'signing-key': (dist[0] as Seeded).privateKeyPem, keychain: kc },
      { pathPrefix: [FAKE_SECURITY_BIN], env: sec.env },
    );
    expect(missingPassword.exitCode).toBe(1);
    expect(missingPassword.errors).toEqual([
      `Keychain ${kc} already exists, so keychain-password is needed to unlock it; pass its password, or leave keychain empty for a new temporary keychain.`,
    ]);

    const start = sec.calls().length;
    const main = await runStep(
      'download-certificate',
      { ...api(), 'certificate-type': 'DISTRIBUTION', 'signing-key': (dist[0] as Seeded).privateKeyPem, keychain: kc, 'keychain-password': 'Kc-Pw-7f3d9a2b' },
      { pathPrefix: [FAKE_SECURITY_BIN], env: sec.env },
    );
    expect(main.exitCode, main.stdout).toBe(0);
    expect(main.outputs['keychain-path']).toBe(kc);
    expect(
      sec
        .calls()
        .slice(start)
        .map((c) => c[0]),
    ).toEqual(['unlock-keychain', 'import', 'set-key-partition-list', 'list-keychains', 'list-keychains']);
    expect(main.state['created-keychain']).toBeUndefined();
    expect(sec.searchList()).toEqual([kc, login]);
    const post = await runStep(
      'download-certificate',
      {},
      { bundle: 'download-certificate-post', state: main.state, runnerTemp: main.runnerTemp, pathPrefix: [FAKE_SECURITY_BIN], env: sec.env },
    );
    expect(post.exitCode).toBe(0);
    expect(
      sec
        .calls()
        .slice(-2)
        .map((c) => c.slice(0, 4)),
    ).toEqual([
      ['list-keychains', '-d', 'user'],
      ['list-keychains', '-d', 'user', '-s'],
    ]);
    expect(sec.searchList()).toEqual([login]);
    expect(existsSync(kc)).toBe(true);
    expect(findLeaks(output(main, post, missingPassword), ['Kc-Pw-7f3d9a2b'])).toEqual([]);
  });
});
