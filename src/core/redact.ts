/**
 * What an error sentence may repeat of a value a user gave. A key pasted into the wrong input (a
 * PEM, base64 of one, or any long base64 blob such as a .p12) is never echoed, and long values are cut.
 */

const SHOWN_MAX = 80;
/** Key IDs, issuer IDs, UDIDs and serial numbers are far shorter; base64 this long is key material or a file. */
const BASE64_BLOB_MIN = 64;

/** Whether a value looks like a private key, a certificate or another base64 blob, in any of the forms keys.ts reads. */
export function looksLikeKeyMaterial(value: string): boolean {
  if (value.includes('-----BEGIN') || value.includes('-----END')) return true;
  const words = value.split(/\\[nr]|\s+/).filter((w) => w !== '');
  const compact = words.join('');
  // Base64 (standard or URL-safe) with at least one long unbroken run: not a sentence of short words.
  return compact.length >= BASE64_BLOB_MIN && /^[A-Za-z0-9+/_-]+={0,2}$/.test(compact) && words.some((w) => w.length >= 32);
}

/** A value for an error sentence: `'value'` (cut at 80 characters), or a note that it is not shown. */
export function quoteValue(value: string): string {
  if (looksLikeKeyMaterial(value)) return 'a value that looks like a key or other secret (not shown)';
  const oneLine = value.replace(/[\r\n]+/g, ' ');
  return oneLine.length > SHOWN_MAX ? `'${oneLine.slice(0, SHOWN_MAX)}…'` : `'${oneLine}'`;
}
