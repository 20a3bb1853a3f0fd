/**
 * download-certificate: the signing identity (certificate + private key) for a certificate on the
 * account, found by public key, created only when asked, written as .cer and .p12 and imported into a
 * temporary keychain that the post step removes again.
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { createAppleClient, type AppleApiConfig } from '../apple/client.js';
import type { CertificateType } from '../apple/types.js';
import { describeError, InputError } from '../core/errors.js';
import { daysLeft } from '../certificates/match.js';
import { actionsCachePort, IdentityStore } from '../certificates/identity-store.js';
import { makeIdentityDir, writeIdentityFiles } from '../certificates/identity-files.js';
import { resolveIdentity, type IdentitySource, type ResolvedIdentity } from '../certificates/identity-resolve.js';
import { importIntoKeychain } from '../keychain/import.js';
import type { KeychainState } from '../keychain/install.js';
import { Pkcs12Error, readPkcs12 } from '../certificates/pkcs12.js';
import { parseSigningKey, signingKeyFromPem, type SigningKey } from '../certificates/signing-key.js';
import { State } from './download-certificate-state.js';
import type { ActionDefinition, ActionResult, RunContext } from './support/action-runner.js';
import { readAppleApiInputs } from './support/apple-inputs.js';
import { budgetLine, clientDeps } from './support/client-deps.js';
import { booleanInput, oneOf, optionalString, secretString, type InputSource } from './support/inputs.js';

export const CERTIFICATE_TYPES: readonly CertificateType[] = [
  'DEVELOPMENT',
  'DISTRIBUTION',
  'IOS_DEVELOPMENT',
  'IOS_DISTRIBUTION',
  'MAC_APP_DEVELOPMENT',
  'MAC_APP_DISTRIBUTION',
  'MAC_INSTALLER_DISTRIBUTION',
  'DEVELOPER_ID_APPLICATION',
  'DEVELOPER_ID_APPLICATION_G2',
  'DEVELOPER_ID_KEXT',
  'DEVELOPER_ID_KEXT_G2',
  'PASS_TYPE_ID',
  'PASS_TYPE_ID_WITH_NFC',
  'APPLE_PAY',
  'APPLE_PAY_MERCHANT_IDENTITY',
  'APPLE_PAY_PSP_IDENTITY',
  'APPLE_PAY_RSA',
  'IDENTITY_ACCESS',
];

/** Warn when the certificate expires sooner than this. */
export const EXPIRY_WARNING_DAYS = 30;

export interface DownloadCertificateInputs {
  apple: AppleApiConfig;
  certificateType: CertificateType | undefined;
  certificateId: string | undefined;
  signingKey: SigningKey | undefined;
  p12: { bytes: Buffer; password: string | undefined } | undefined;
  createIfMissing: boolean;
  keychain: string | undefined;
  keychainPassword: string | undefined;
  importMode: 'auto' | 'true' | 'false';
  identityPassphrase: string | undefined;
}

/** Masks a PEM whole and line by line (a multi-line secret is not reliably masked line by line otherwise). */
function maskPem(mask: (s: string) => void, pem: string): void {
  mask(pem);
  for (const line of pem.split('\n')) if (line.length >= 16 && !line.startsWith('-----')) mask(line);
}

export function parseDownloadCertificateInputs(src: InputSource): DownloadCertificateInputs {
  const rawKey = secretString(src, 'signing-key');
  const rawP12 = secretString(src, 'p12');
  // Not trimmed: a password may begin or end with a space.
  const p12Password = src.get('p12-password') || undefined;
  if (p12Password) src.mask(p12Password);
  const keychainPassword = secretString(src, 'keychain-password');
  const identityPassphrase = secretString(src, 'identity-passphrase');
  const apple = readAppleApiInputs(src);
  const certificateId = optionalString(src, 'certificate-id');
  const certificateType = optionalString(src, 'certificate-type') === undefined ? undefined : oneOf(src, 'certificate-type', CERTIFICATE_TYPES, undefined);
  if (!certificateType && !certificateId) {
    throw new InputError('certificate-type', `Input certificate-type is required unless certificate-id is given: one of ${CERTIFICATE_TYPES.join(', ')}.`);
  }
  if (rawKey && rawP12)
    throw new InputError(
      'p12',
      'Inputs signing-key and p12 are both given; pass the private key one way: signing-key (PEM) or p12 (base64 PKCS#12) with p12-password.',
    );
  let signingKey: SigningKey | undefined;
  if (rawKey) {
    signingKey = parseSigningKey(rawKey);
    maskPem(src.mask, signingKey.pem);
  }
  let p12: DownloadCertificateInputs['p12'];
  if (rawP12) {
    const b64 = rawP12.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]+=*$/.test(b64))
      throw new InputError('p12', 'Input p12 is not base64; pass the .p12 file as base64 (base64 -i identity.p12 | pbcopy), for example from a secret.');
    p12 = { bytes: Buffer.from(b64, 'base64'), password: p12Password };
  }
  return {
    apple,
    certificateType,
    certificateId,
    signingKey,
    p12,
    createIfMissing: booleanInput(src, 'create-if-missing', false),
    keychain: optionalString(src, 'keychain'),
    keychainPassword,
    importMode: oneOf(src, 'import', ['auto', 'true', 'false'] as const, 'auto'),
    identityPassphrase,
  };
}

function keysFromP12(p12: NonNullable<DownloadCertificateInputs['p12']>, mask: (s: string) => void): SigningKey[] {
  let contents;
  try {
    contents = readPkcs12(p12.bytes, p12.password);
  } catch (err) {
    if (err instanceof Pkcs12Error) {
      const input = err.problem === 'password' ? 'p12-password' : 'p12';
      const hint = err.problem === 'password' ? '; pass the password the .p12 was exported with in p12-password (leave it empty for a password-less .p12)' : '';
      throw new InputError(input, `Input p12 ${err.message}${hint}.`);
    }
    throw err;
  }
  if (contents.privateKeysPem.length === 0) {
    throw new InputError(
      'p12',
      'Input p12 holds no private key; export the identity (certificate and key together) from Keychain Access, not only the certificate.',
    );
  }
  return contents.privateKeysPem.map((pem) => {
    const key = signingKeyFromPem(pem);
    maskPem(mask, key.pem);
    return key;
  });
}

const SOURCE_TEXT: Record<IdentitySource, string> = {
  'signing-key': 'matched signing-key',
  p12: 'matched the key in p12',
  'identity-store': 'restored from the identity store',
  created: 'created by this run',
};

export async function executeDownloadCertificate(i: DownloadCertificateInputs, ctx: RunContext): Promise<ActionResult> {
  const { log, mask } = ctx;
  const now = new Date();
  const runnerTemp = process.env['RUNNER_TEMP'] || tmpdir();
  const keys = [
    ...(i.signingKey ? [{ key: i.signingKey, source: 'signing-key' as const }] : []),
    ...(i.p12 ? keysFromP12(i.p12, mask).map((key) => ({ key, source: 'p12' as const })) : []),
  ];

  let store: IdentityStore | undefined;
  if (i.identityPassphrase && keys.length > 0) log.info('identity-passphrase is not used: the identity store serves runs that give no signing-key or p12.');
  if (i.identityPassphrase && keys.length === 0) {
    const port = await actionsCachePort();
    if (port) store = new IdentityStore(port, process.env['GITHUB_WORKSPACE'] || process.cwd());
    else log.info('The Actions cache service is not available here (outside GitHub Actions), so the identity store is not used.');
  }
  const scope = { api: i.apple.api, account: i.apple.issuerId ?? i.apple.keyId };
  const http = createAppleClient(i.apple, clientDeps(ctx));
  const resolved: ResolvedIdentity = await log.group('Certificate', () =>
    resolveIdentity(
      http,
      {
        certificateType: i.certificateType,
        certificateId: i.certificateId,
        keys,
        createIfMissing: i.createIfMissing,
        store: store && i.identityPassphrase ? { store, scope, passphrase: i.identityPassphrase } : undefined,
        now,
      },
      log,
    ),
  );
  const { candidate: c, key } = resolved;
  maskPem(mask, key.pem);
  const created = resolved.source === 'created';
  const certificateType = (c.cert.attributes?.certificateType ?? i.certificateType ?? '') as CertificateType;

  if (created && i.identityPassphrase) {
    if (store) {
      const identity = {
        certificateId: c.cert.id,
        certificateType,
        privateKeyPem: key.pem,
        certificateContent: c.info.der.toString('base64'),
        savedAt: now.toISOString(),
      };
      // Never let the store cost the new identity: a failure here is a warning, the outputs still come.
      const saved = await store.save({ ...scope, certificateType }, identity, i.identityPassphrase).catch((err: unknown) => {
        log.warning(
          `The new identity could not be saved in the Actions cache (${describeError(err)}); store p12-base64 and p12-password as secrets instead.`,
          'Identity not saved',
        );
        return null;
      });
      if (saved) log.info(`Saved the new identity, encrypted with identity-passphrase, in the Actions cache (${saved}).`);
      else if (saved === undefined) log.info('The Actions cache did not take the new identity; store p12-base64 and p12-password as secrets instead.');
    } else if (keys.length === 0) {
      log.info('The new identity was not saved (no Actions cache here); store p12-base64 and p12-password as secrets to reuse it.');
    }
  }

  // Files: the directory goes into state before any key material is written to it.
  const dir = await makeIdentityDir(runnerTemp);
  ctx.state?.save(State.CleanupPaths, JSON.stringify([dir]));
  const givenPassword = i.p12?.password;
  const p12Password = givenPassword || randomBytes(24).toString('base64url');
  mask(p12Password);
  const files = await writeIdentityFiles(dir, {
    privateKeyPem: key.pem,
    certificateDer: c.info.der,
    p12Password,
    name: c.info.commonName,
    serialNumber: c.info.serialNumber,
  });
  const p12Base64 = created ? files.p12.toString('base64') : '';
  if (p12Base64) mask(p12Base64);
  log.info(`Wrote ${files.certificatePath} and ${files.p12Path}.`);

  let keychainPath = '';
  let failure: string | undefined;
  try {
    keychainPath = await importIntoKeychain(
      {
        mode: i.importMode,
        keychain: i.keychain,
        keychainPassword: i.keychainPassword,
        p12Path: files.p12Path,
        p12Password,
        runnerTemp,
        installer: certificateType.includes('INSTALLER'),
      },
      { log: ctx.log, mask: ctx.mask, remember: (k) => rememberKeychain(ctx, k) },
    );
  } catch (err) {
    if (!created) throw err;
    // The new key exists nowhere else: hand it out before failing, or the certificate is lost to Apple's cap.
    failure = `${describeError(err).replace(/\.$/, '')}; certificate ${c.cert.id} was created by this run and its identity is in the p12-base64 and p12-password outputs, so store them as secrets before running again (or revoke it).`;
  }

  const days = daysLeft(c.info, now);
  const expiration = c.info.notAfter.toISOString();
  if (days < EXPIRY_WARNING_DAYS) {
    log.warning(
      `Certificate "${c.info.commonName}" (${c.cert.id}) expires on ${expiration.slice(0, 10)}, in ${days} day(s); create its successor (create-if-missing with a new key) and update the secrets before then.`,
      'Certificate expires soon',
    );
  }
  log.info(budgetLine(http));
  return {
    outputs: {
      'certificate-id': c.cert.id,
      'serial-number': c.info.serialNumber,
      'expiration-date': expiration,
      'signing-identity': c.info.commonName,
      sha1: c.info.sha1,
      'certificate-path': files.certificatePath,
      'p12-path': files.p12Path,
      'p12-password': p12Password,
      'p12-base64': p12Base64,
      'keychain-path': keychainPath,
      created,
    },
    summary: {
      heading: 'download-certificate',
      rows: [
        ['Certificate', 'ID', 'Type', 'Serial', 'Expires', 'SHA-1', 'Source', 'Keychain'],
        [
          c.info.commonName,
          c.cert.id,
          certificateType,
          c.info.serialNumber,
          expiration.slice(0, 10),
          c.info.sha1,
          SOURCE_TEXT[resolved.source],
          keychainPath || 'not imported',
        ],
      ],
      notes: created
        ? ['A new certificate was created: store p12-base64 and p12-password as secrets (or set identity-passphrase) so later runs reuse it.']
        : [],
    },
    ...(failure ? { failure } : {}),
  };
}

/** What the post step must undo goes into state the moment it is done (paths only, no secret). */
function rememberKeychain(ctx: RunContext, s: Partial<KeychainState>): void {
  if (s.createdKeychain) ctx.state?.save(State.CreatedKeychain, s.createdKeychain);
  if (s.originalSearchList) ctx.state?.save(State.SearchListOriginal, JSON.stringify(s.originalSearchList));
  if (s.addedToSearchList) ctx.state?.save(State.SearchListAdded, s.addedToSearchList);
}

export const downloadCertificate: ActionDefinition<DownloadCertificateInputs> = {
  parse: parseDownloadCertificateInputs,
  execute: executeDownloadCertificate,
};
