/** Reads the `.p8` API key (or any P-256 private key) from the forms users paste into secrets. */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { InputError } from './errors.js';

export interface EcPrivateKey {
  /** Normalised PKCS#8 PEM. A secret: mask it before logging anything. */
  pem: string;
  key: KeyObject;
}

const PEM_RE = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;

/**
 * Accepts PEM, base64 of the PEM, or PEM with literal `\n` escapes, with CRLF or stray indentation.
 * Returns the text a PEM parser can read, or undefined when it is none of those.
 */
export function normalisePem(input: string): string | undefined {
  let text = input.trim().replace(/^["']|["']$/g, '');
  if (text.includes('\\n')) text = text.replace(/\\r/g, '').replace(/\\n/g, '\n');
  if (!text.includes('-----BEGIN') && /^[A-Za-z0-9+/=\s]+$/.test(text)) {
    const decoded = Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8');
    if (decoded.includes('-----BEGIN')) text = decoded.trim();
  }
  const m = PEM_RE.exec(text.replace(/\r/g, ''));
  if (!m) return undefined;
  const body = (m[2] ?? '').replace(/\s+/g, '');
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${m[1]}-----\n${lines.join('\n')}\n-----END ${m[1]}-----\n`;
}

/** Parses an ES256 (P-256) private key; every other key is refused with one sentence. */
export function parseEcPrivateKey(input: string, inputName = 'private-key'): EcPrivateKey {
  if (!input.trim()) throw new InputError(inputName, `${inputName} is empty; pass the contents of the AuthKey_XXXXXXXXXX.p8 file (for example from a secret).`);
  const pem = normalisePem(input);
  if (!pem) {
    throw new InputError(
      inputName,
      `${inputName} is not a PEM private key; pass the whole .p8 file including its BEGIN/END PRIVATE KEY lines (PEM, base64 of the PEM, or PEM with \\n escapes).`,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new InputError(inputName, `${inputName} looks like PEM but cannot be read as a private key; copy the .p8 file again without changes.`);
  }
  if (key.asymmetricKeyType !== 'ec') {
    throw new InputError(
      inputName,
      `${inputName} is an ${String(key.asymmetricKeyType).toUpperCase()} key, but Apple API keys are P-256 (EC) keys; pass the AuthKey_XXXXXXXXXX.p8 downloaded from Users and Access > Integrations.`,
    );
  }
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve !== 'prime256v1' && curve !== 'P-256') {
    throw new InputError(inputName, `${inputName} is an EC key on curve ${curve ?? 'unknown'}, but Apple API keys use P-256; pass the .p8 file Apple issued.`);
  }
  return { pem: key.export({ format: 'pem', type: 'pkcs8' }).toString(), key };
}
