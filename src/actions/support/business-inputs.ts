/** The inputs every Apple Business / School Manager API action shares (assign-devices README). */
import { DEFAULT_BUSINESS_BASE_URL, DEFAULT_SCHOOL_BASE_URL, DEFAULT_TOKEN_URL, type BusinessApiConfig } from '../../business/client.js';
import type { BusinessScope } from '../../business/oauth.js';
import { InputError } from '../../core/errors.js';
import { maskSecret } from '../../core/log.js';
import { parseEcPrivateKey, type KeyDescription } from '../../core/keys.js';
import { quoteValue } from '../../core/redact.js';
import { apiUrl, oneOf, optionalString, requiredString, secretString, type InputSource } from './inputs.js';

/** How messages speak of an Apple Business API account's key. */
const BUSINESS_KEY: KeyDescription = {
  input: 'private-key',
  file: "the API account's private key (.pem) file",
  extension: '.pem',
  download: 'the private key (.pem) downloaded when the API account was made in Apple Business',
  kind: 'Apple Business API keys',
};

export function readBusinessApiInputs(src: InputSource): BusinessApiConfig {
  const raw = secretString(src, 'private-key');
  const clientId = requiredString(src, 'client-id', 'the client ID of the API account in Apple Business (Preferences > API), e.g. BUSINESSAPI.c75c0a8a-…');
  if (/\s/.test(clientId) || clientId.length > 200) {
    throw new InputError(
      'client-id',
      `Input client-id is ${quoteValue(clientId)}, but a client ID is one word such as BUSINESSAPI.c75c0a8a-…; copy it from the API account in Apple Business.`,
    );
  }
  const keyId = requiredString(src, 'key-id', "the key ID of the API account's private key in Apple Business (a UUID)");
  if (!/^[A-Za-z0-9-]{6,64}$/.test(keyId)) {
    throw new InputError(
      'key-id',
      `Input key-id is ${quoteValue(keyId)}, but a key ID is a UUID such as 7e1e6a84-…; copy it from the API account in Apple Business.`,
    );
  }
  if (raw === undefined) {
    throw new InputError(
      'private-key',
      "Input private-key is required: pass the contents of the API account's private key (.pem) file, for example from a secret.",
    );
  }
  const privateKey = parseEcPrivateKey(raw, BUSINESS_KEY);
  maskSecret(src.mask, privateKey.pem);
  // The client ID says which product the account belongs to; an explicit scope wins.
  const school = clientId.toUpperCase().startsWith('SCHOOLAPI.');
  const scope: BusinessScope = oneOf(src, 'scope', ['business.api', 'school.api'] as const, school ? 'school.api' : 'business.api', {
    business: 'business.api',
    school: 'school.api',
  });
  const defaultBase = scope === 'school.api' ? DEFAULT_SCHOOL_BASE_URL : DEFAULT_BUSINESS_BASE_URL;
  const baseUrl = apiUrl('api-base-url', optionalString(src, 'api-base-url') ?? defaultBase, defaultBase, true);
  const tokenUrl = apiUrl('token-url', optionalString(src, 'token-url') ?? DEFAULT_TOKEN_URL, DEFAULT_TOKEN_URL, false);
  return { clientId, keyId, privateKey, scope, baseUrl, tokenUrl };
}
