/**
 * download-certificate: the signing identity (certificate + private key) for a certificate on the
 * account, found by public key, created only when asked, written as .cer and .p12 and imported into a
 * temporary keychain that the post step removes again.
 */
import { tmpdir } from 'node:os';
import { createAppleClient, type AppleApiConfig } from '../apple/client.js';
import type { CertificateType } from '../apple/types.js';
import { InputError } from '../core/errors.js';
import { downloadCertificate as downloadIdentity, SOURCE_TEXT, type DownloadOptions } from '../certificates/download.js';
import { maskSecret, MIN_MASKABLE, type Mask } from '../core/log.js';
import type { KeychainState } from '../keychain/install.js';
import { Pkcs12Error, readPkcs12 } from '../certificates/pkcs12.js';
import { parseSigningKey, signingKeyFromPem, type SigningKey } from '../certificates/signing-key.js';
import { State } from './download-certificate-state.js';
import type { ActionDefinition, ActionResult, RunContext } from './support/action-runner.js';
import { readAppleApiInputs } from './support/apple-inputs.js';
import { budgetLine, clientDeps } from './support/client-deps.js';
import { booleanInput, integerInput, oneOf, optionalString, secretString, type InputSource } from './support/inputs.js';

const CERTIFICATE_TYPES: readonly CertificateType[] = [
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

/** identity-passphrase alone keeps the cached identity from anyone who can read the cache (docs/SECURITY.md). */
const MIN_PASSPHRASE = 20;

export interface DownloadCertificateInputs extends DownloadOptions {
  apple: AppleApiConfig;
  signingKey: SigningKey | undefined;
  /** The keys inside the given p12 (read and masked while parsing, before anything else is logged), and its password. */
  p12: { keys: SigningKey[]; password: string | undefined } | undefined;
}

export function parseDownloadCertificateInputs(src: InputSource): DownloadCertificateInputs {
  const rawKey = secretString(src, 'signing-key');
  const rawP12 = secretString(src, 'p12');
  // Not trimmed: a password may begin or end with a space.
  const p12Password = src.get('p12-password') || undefined;
  if (p12Password) src.mask(p12Password);
  const keychainPassword = secretString(src, 'keychain-password');
  if (keychainPassword !== undefined && keychainPassword.length < MIN_MASKABLE) {
    throw new InputError(
      'keychain-password',
      `Input keychain-password is shorter than ${MIN_MASKABLE} characters, which the runner cannot mask in logs; give the keychain a longer password, or leave keychain empty for a new temporary keychain.`,
    );
  }
  const identityPassphrase = secretString(src, 'identity-passphrase');
  if (identityPassphrase !== undefined && [...identityPassphrase].length < MIN_PASSPHRASE) {
    throw new InputError(
      'identity-passphrase',
      `Input identity-passphrase has ${[...identityPassphrase].length} characters, but it needs at least ${MIN_PASSPHRASE}: it alone protects the identity in the Actions cache, which pull-request runs (forks included) can read, so use a long random passphrase from a secret.`,
    );
  }
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
    maskSecret(src.mask, signingKey.pem);
  }
  let p12: DownloadCertificateInputs['p12'];
  if (rawP12) {
    const b64 = rawP12.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]+=*$/.test(b64))
      throw new InputError('p12', 'Input p12 is not base64; pass the .p12 file as base64 (base64 -i identity.p12 | pbcopy), for example from a secret.');
    p12 = { keys: keysFromP12(Buffer.from(b64, 'base64'), p12Password, src.mask), password: p12Password };
  }
  const createIfMissing = booleanInput(src, 'create-if-missing', false);
  const renewDays = integerInput(src, 'renew-days', 0, 0);
  if (renewDays > 0 && (!createIfMissing || !identityPassphrase || signingKey || p12 || certificateId)) {
    throw new InputError(
      'renew-days',
      `Input renew-days is ${renewDays}, which needs create-if-missing: true and identity-passphrase, and no signing-key, p12 or certificate-id: the successor lives in the identity store, and without it every run would create another certificate; set those (and drop the key inputs), or set renew-days: 0.`,
    );
  }
  return {
    apple,
    certificateType,
    certificateId,
    signingKey,
    p12,
    createIfMissing,
    renewDays,
    revokeCertificateId: optionalString(src, 'revoke-certificate-id'),
    forceRevoke: booleanInput(src, 'force-revoke', false),
    keychain: optionalString(src, 'keychain'),
    keychainPassword,
    importMode: oneOf(src, 'import', ['auto', 'true', 'false'] as const, 'auto'),
    identityPassphrase,
  };
}

function keysFromP12(bytes: Buffer, password: string | undefined, mask: Mask): SigningKey[] {
  let contents;
  try {
    contents = readPkcs12(bytes, password);
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
    maskSecret(mask, key.pem);
    return key;
  });
}

export async function executeDownloadCertificate(i: DownloadCertificateInputs, ctx: RunContext): Promise<ActionResult> {
  if (i.p12?.password && i.p12.password.length < MIN_MASKABLE) {
    ctx.log.warning(
      `p12-password is shorter than ${MIN_MASKABLE} characters, so the runner cannot mask it and any log line holding it shows it; export the .p12 again with a longer password.`,
      'p12-password cannot be masked',
    );
  }
  const { apple, signingKey, p12, ...options } = i;
  const keys = [
    ...(signingKey ? [{ key: signingKey, source: 'signing-key' as const }] : []),
    ...(p12 ? p12.keys.map((key) => ({ key, source: 'p12' as const })) : []),
  ];
  const http = createAppleClient(apple, clientDeps(ctx));
  const r = await downloadIdentity(
    http,
    {
      ...options,
      api: apple.api,
      account: apple.issuerId,
      keys,
      p12Password: p12?.password,
      runnerTemp: process.env['RUNNER_TEMP'] || tmpdir(),
      workspace: process.env['GITHUB_WORKSPACE'] || process.cwd(),
    },
    {
      log: ctx.log,
      mask: ctx.mask,
      now: new Date(),
      cleanup: {
        wroteKeyFiles: (dir) => ctx.state?.save(State.CleanupPaths, JSON.stringify([dir])),
        changedKeychain: (k) => rememberKeychain(ctx, k),
      },
    },
  );
  ctx.log.info(budgetLine(http));
  const { candidate: c } = r.identity;
  const expiration = c.info.notAfter.toISOString();
  return {
    outputs: {
      'certificate-id': c.cert.id,
      'serial-number': c.info.serialNumber,
      'expiration-date': expiration,
      'signing-identity': c.info.commonName,
      sha1: c.info.sha1,
      'certificate-path': r.certificatePath,
      'p12-path': r.p12Path,
      'p12-password': r.p12Password,
      'p12-base64': r.p12Base64,
      'keychain-path': r.keychainPath,
      created: r.created,
      renewed: r.previousCertificateId !== '',
      'previous-certificate-id': r.previousCertificateId,
    },
    summary: {
      heading: 'download-certificate',
      rows: [
        ['Certificate', 'ID', 'Type', 'Serial', 'Expires', 'SHA-1', 'Source', 'Keychain'],
        [
          c.info.commonName,
          c.cert.id,
          r.certificateType,
          c.info.serialNumber,
          expiration.slice(0, 10),
          c.info.sha1,
          SOURCE_TEXT[r.identity.source],
          r.keychainPath || 'not imported',
        ],
      ],
      notes: [
        ...(r.previousCertificateId
          ? [
              `It succeeds certificate ${r.previousCertificateId}, which expires within renew-days and stays valid until then; secrets holding the old key or p12 are stale.`,
            ]
          : []),
        ...(r.created
          ? ['A new certificate was created: store p12-base64 and p12-password as secrets (or set identity-passphrase) so later runs reuse it.']
          : []),
      ],
    },
    ...(r.failure ? { failure: r.failure } : {}),
  };
}

/** What the post step must undo goes into state the moment it is done (paths only, no secret). */
function rememberKeychain(ctx: RunContext, s: Partial<KeychainState>): void {
  if (s.createdKeychainMarker) ctx.state?.save(State.CreatedKeychainMarker, s.createdKeychainMarker);
  if (s.createdKeychain) ctx.state?.save(State.CreatedKeychain, s.createdKeychain);
  if (s.originalSearchList) ctx.state?.save(State.SearchListOriginal, JSON.stringify(s.originalSearchList));
  if (s.addedToSearchList) ctx.state?.save(State.SearchListAdded, s.addedToSearchList);
}

export const downloadCertificate: ActionDefinition<DownloadCertificateInputs> = {
  parse: parseDownloadCertificateInputs,
  execute: executeDownloadCertificate,
};
