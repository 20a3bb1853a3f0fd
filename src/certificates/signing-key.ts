/** The certificate's private key as users pass it: PEM (PKCS#1, PKCS#8, EC), base64 of the PEM, or with \n escapes. */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { InputError } from '../core/errors.js';
import { checkKeyLength, normalisePem } from '../core/keys.js';
import { publicKeySpki } from './match.js';

export interface SigningKey {
  /** PKCS#8 PEM. A secret. */
  pem: string;
  key: KeyObject;
  spki: Buffer;
}

export function signingKeyFromPem(pem: string): SigningKey {
  const key = createPrivateKey(pem);
  return { pem: key.export({ type: 'pkcs8', format: 'pem' }).toString(), key, spki: publicKeySpki(key) };
}

export function parseSigningKey(input: string, inputName = 'signing-key'): SigningKey {
  checkKeyLength(input, inputName);
  const pem = normalisePem(input);
  if (!pem || !/PRIVATE KEY/.test(pem.split('\n')[0] ?? '')) {
    throw new InputError(
      inputName,
      `${inputName} is not a PEM private key; pass the certificate's private key with its BEGIN/END PRIVATE KEY lines (PEM, base64 of the PEM, or PEM with \\n escapes), or use p12 for a .p12 file.`,
    );
  }
  if (/ENCRYPTED/.test(pem)) {
    throw new InputError(
      inputName,
      `${inputName} is an encrypted private key; pass it decrypted (openssl pkey -in key.pem), or pass the identity as p12 with p12-password.`,
    );
  }
  try {
    return signingKeyFromPem(pem);
  } catch {
    throw new InputError(inputName, `${inputName} looks like PEM but cannot be read as a private key; copy the key file again without changes.`);
  }
}
