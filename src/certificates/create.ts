/**
 * A new signing certificate: a fresh RSA-2048 key, a CSR, and POST /v1/certificates. A create whose
 * outcome is unknown is followed by a re-read (a certificate with our public key), never a blind
 * second create: each one counts against Apple's cap.
 */
import { createCertificate, listCertificates } from '../apple/certificates.js';
import type { Certificate, CertificateType } from '../apple/types.js';
import { AppleApiError, ConfigError } from '../core/errors.js';
import type { AppleHttpClient } from '../core/http.js';
import { writeWithReread } from '../core/reread-write.js';
import { keyMatches, readCertificateContent } from './match.js';
import { createCsr, generateSigningKey } from './csr.js';
import { signingKeyFromPem, type SigningKey } from './signing-key.js';

export interface CreatedIdentity {
  key: SigningKey;
  certificate: Certificate;
}

function requestId(err: AppleApiError): string {
  return err.requestId ? `, request id ${err.requestId}` : '';
}

/** `'Apple Distribution: Team' by 'Created via API' (ID, expires 2026-12-01)`: enough to pick one to revoke. */
function slotLabel(c: Certificate): string {
  const a = c.attributes;
  const by = a?.displayName && a.displayName !== a.name ? ` by '${a.displayName}'` : '';
  return `'${a?.name ?? c.id}'${by} (${c.id}, expires ${a?.expirationDate?.slice(0, 10) ?? 'on an unknown date'})`;
}

/**
 * Apple's refusals that a user must act on, each as one sentence saying what to do. `current`: the
 * current certificates of the type, named in the sentence when Apple's cap is what refused.
 */
function explainCreateRefusal(err: unknown, certificateType: string, current: readonly Certificate[] = []): Error {
  if (!(err instanceof AppleApiError)) return err instanceof Error ? err : new Error(String(err));
  const apple = `(Apple: ${err.status} ${err.code} "${err.detail}"${requestId(err)})`;
  if (err.status === 409 && err.detailMatches(/already have a current|pending certificate request|maximum number of certificates|reached the maximum/i)) {
    const slots = current.length > 0 ? `; the slots hold ${current.map(slotLabel).join(', ')}` : '';
    return new ConfigError(
      `Apple will not create another ${certificateType} certificate: the account already has as many current ones as Apple allows ${apple}${slots}; set revoke-certificate-id to one of them to revoke it first (refused while a current profile holds it, unless force-revoke: true), or reuse one by passing its private key as signing-key (or its .p12 as p12), and set identity-passphrase so later runs reuse the certificate this action creates.`,
    );
  }
  // Developer ID certificates reportedly cannot be created through the API (a note on Apple's CertificateType
  // page cited in rorkai/App-Store-Connect-CLI PR #2350; unconfirmed); even an Admin key is refused, so the
  // role advice below would send the user the wrong way.
  if (certificateType.startsWith('DEVELOPER_ID_') && [400, 403, 409, 422].includes(err.status)) {
    return new ConfigError(
      `Apple refused to create a ${certificateType} certificate ${apple}: Developer ID certificates are created by the Account Holder in Certificates, Identifiers & Profiles on developer.apple.com, not through the API, so have them create one and pass its private key as signing-key (or its .p12 as p12) instead of create-if-missing.`,
    );
  }
  if (err.status === 403) {
    return new ConfigError(
      `Apple refused to create a ${certificateType} certificate because the API key's role does not allow it ${apple}; use a key with the Admin role (or an App Manager key with access to Certificates, Identifiers & Profiles), or pass an existing certificate's key as signing-key or p12 instead of create-if-missing.`,
    );
  }
  return err;
}

export async function createSigningCertificate(
  http: AppleHttpClient,
  certificateType: CertificateType,
  log: (line: string) => void,
  /** The current certificates of the type, for the sentence when Apple's cap refuses. */
  current: readonly Certificate[] = [],
): Promise<CreatedIdentity> {
  const key = signingKeyFromPem(generateSigningKey());
  const csr = createCsr(key.pem, { commonName: 'apple-signing-actions' });
  try {
    const certificate = await writeWithReread({
      write: () => createCertificate(http, certificateType, csr),
      reread: async () =>
        (await listCertificates(http, { types: [certificateType] })).find((c) => {
          const content = c.attributes?.certificateContent;
          return content !== undefined && keyMatches(readCertificateContent(content), key.spki);
        }),
      log,
    });
    return { key, certificate };
  } catch (err) {
    throw explainCreateRefusal(err, certificateType, current);
  }
}
