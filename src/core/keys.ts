/** Reads a P-256 private key (an API key of App Store Connect or Apple Business) from the forms users paste into secrets. */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { InputError } from './errors.js';

/** How an API speaks of its key in messages: each client passes its own (App Store Connect's .p8, Apple Business's .pem). */
export interface KeyDescription {
  /** The input that carries it, e.g. `private-key`. */
  input: string;
  /** The file as users know it, e.g. `the AuthKey_XXXXXXXXXX.p8 file`. */
  file: string;
  /** Its extension, e.g. `.p8`. */
  extension: string;
  /** Where the right key comes from, e.g. `the AuthKey_XXXXXXXXXX.p8 downloaded from Users and Access > Integrations`. */
  download: string;
  /** What the keys are called, e.g. `Apple API keys`. */
  kind: string;
}

export interface EcPrivateKey {
  /** Normalised PKCS#8 PEM. A secret: mask it before logging anything. */
  pem: string;
  key: KeyObject;
}

/** Longest key input read: a .p8 is about 250 characters and a 4096-bit RSA PEM, as base64, under 5,000. */
const MAX_KEY_INPUT = 64 * 1024;

/** Refuses a key input too long to be a key, before any parsing. */
export function checkKeyLength(input: string, inputName: string): void {
  if (input.length > MAX_KEY_INPUT) {
    throw new InputError(
      inputName,
      `${inputName} is ${input.length} characters long, more than the ${MAX_KEY_INPUT} a private key may have; pass only the key file's contents.`,
    );
  }
}

/** The label and body of the first PEM block, found with indexOf (linear) rather than a backtracking pattern. */
function firstPemBlock(text: string): { label: string; body: string } | undefined {
  const begin = text.indexOf('-----BEGIN ');
  if (begin < 0) return undefined;
  const labelAt = begin + '-----BEGIN '.length;
  const labelEnd = text.indexOf('-----', labelAt);
  if (labelEnd < 0) return undefined;
  const label = text.slice(labelAt, labelEnd);
  if (!/^[A-Z0-9 ]+$/.test(label)) return undefined;
  const end = text.indexOf(`-----END ${label}-----`, labelEnd + 5);
  return end < 0 ? undefined : { label, body: text.slice(labelEnd + 5, end) };
}

/**
 * Accepts PEM, base64 of the PEM, or PEM with literal `\n` escapes, with CRLF or stray indentation.
 * Returns the text a PEM parser can read, or undefined when it is none of those (or too long to be a key).
 */
export function normalisePem(input: string): string | undefined {
  if (input.length > MAX_KEY_INPUT) return undefined;
  let text = input.trim().replace(/^["']|["']$/g, '');
  if (text.includes('\\n')) text = text.replace(/\\r/g, '').replace(/\\n/g, '\n');
  if (!text.includes('-----BEGIN') && /^[A-Za-z0-9+/=\s]+$/.test(text)) {
    const decoded = Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8');
    if (decoded.includes('-----BEGIN')) text = decoded.trim();
  }
  const block = firstPemBlock(text.replace(/\r/g, ''));
  if (!block) return undefined;
  const lines = block.body.replace(/\s+/g, '').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${block.label}-----\n${lines.join('\n')}\n-----END ${block.label}-----\n`;
}

/** Parses an ES256 (P-256) private key; every other key is refused with one sentence. */
export function parseEcPrivateKey(input: string, about: KeyDescription): EcPrivateKey {
  const name = about.input;
  if (!input.trim()) throw new InputError(name, `${name} is empty; pass the contents of ${about.file} (for example from a secret).`);
  checkKeyLength(input, name);
  const pem = normalisePem(input);
  if (!pem) {
    throw new InputError(
      name,
      `${name} is not a PEM private key; pass the whole ${about.extension} file including its BEGIN/END PRIVATE KEY lines (PEM, base64 of the PEM, or PEM with \\n escapes).`,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new InputError(name, `${name} looks like PEM but cannot be read as a private key; copy the ${about.extension} file again without changes.`);
  }
  if (key.asymmetricKeyType !== 'ec') {
    throw new InputError(
      name,
      `${name} is an ${String(key.asymmetricKeyType).toUpperCase()} key, but ${about.kind} are P-256 (EC) keys; pass ${about.download}.`,
    );
  }
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve !== 'prime256v1' && curve !== 'P-256') {
    throw new InputError(
      name,
      `${name} is an EC key on curve ${curve ?? 'unknown'}, but ${about.kind} use P-256; pass the ${about.extension} file Apple issued.`,
    );
  }
  return { pem: key.export({ format: 'pem', type: 'pkcs8' }).toString(), key };
}
