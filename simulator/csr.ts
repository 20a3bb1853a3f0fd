// Reads the csrContent of POST /v1/certificates: PEM text or base64 DER (docs/apple-facts.md §1.7).
import forge from 'node-forge';

/** The CSR's RSA public key, or undefined when the content is not a validly self-signed RSA CSR. */
export function csrPublicKey(csrContent: string): forge.pki.PublicKey | undefined {
  try {
    const csr = csrContent.includes('-----BEGIN')
      ? forge.pki.certificationRequestFromPem(csrContent.replace(/\\n/g, '\n'))
      : forge.pki.certificationRequestFromAsn1(forge.asn1.fromDer(Buffer.from(csrContent.replace(/\s+/g, ''), 'base64').toString('binary')));
    if (!csr.publicKey || !csr.verify()) return undefined;
    return csr.publicKey;
  } catch {
    return undefined;
  }
}
