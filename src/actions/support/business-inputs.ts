/** The inputs every Apple Business / School Manager API action shares (interface.md, assign-devices). */
import { DEFAULT_BUSINESS_BASE_URL, DEFAULT_SCHOOL_BASE_URL, DEFAULT_TOKEN_URL, type BusinessApiConfig } from '../../business/client.js';
import type { BusinessScope } from '../../business/oauth.js';
import { InputError } from '../../core/errors.js';
import { maskSecret } from '../../core/log.js';
import { parseEcPrivateKey, type EcPrivateKey } from '../../core/keys.js';
import { oneOf, optionalString, requiredString, secretString, type InputSource } from './inputs.js';

export const BUSINESS_API_INPUTS = ['client-id', 'key-id', 'private-key', 'scope', 'api-base-url', 'token-url'] as const;

/** parseEcPrivateKey speaks of App Store Connect's .p8 files; Apple Business issues a .pem. */
function readKey(raw: string): EcPrivateKey {
  try {
    return parseEcPrivateKey(raw, 'private-key');
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    const message = err.message
      .replace(
        /the AuthKey_XXXXXXXXXX\.p8 downloaded from Users and Access > Integrations/g,
        'the private key (.pem) downloaded when the API account was made in Apple Business',
      )
      .replace(/the (contents of the )?AuthKey_XXXXXXXXXX\.p8 file/g, "the API account's private key (.pem) file")
      .replace(/\.p8 file/g, '.pem file')
      .replace(/Apple API keys/g, 'Apple Business API keys');
    throw new InputError('private-key', message);
  }
}

function parseUrl(input: string, value: string, example: string, originOnly: boolean): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError(input, `Input ${input} is '${value}', but it takes a URL such as ${example}.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError(input, `Input ${input} is '${value}', but it takes an http(s) URL such as ${example}.`);
  }
  if (!originOnly) return url.toString();
  const path = url.pathname.replace(/\/+$/, '');
  if (path !== '' && path !== '/v1') {
    throw new InputError(input, `Input ${input} is '${value}', but it takes an origin without a path, such as ${example} (the /v1 is added by the action).`);
  }
  return url.origin;
}

export function readBusinessApiInputs(src: InputSource): BusinessApiConfig {
  const raw = secretString(src, 'private-key');
  const clientId = requiredString(src, 'client-id', 'the client ID of the API account in Apple Business (Preferences > API), e.g. BUSINESSAPI.c75c0a8a-…');
  if (/\s/.test(clientId) || clientId.length > 200) {
    throw new InputError(
      'client-id',
      `Input client-id is '${clientId.slice(0, 60)}', but a client ID is one word such as BUSINESSAPI.c75c0a8a-…; copy it from the API account in Apple Business.`,
    );
  }
  const keyId = requiredString(src, 'key-id', "the key ID of the API account's private key in Apple Business (a UUID)");
  if (!/^[A-Za-z0-9-]{6,64}$/.test(keyId)) {
    throw new InputError(
      'key-id',
      `Input key-id is '${keyId.slice(0, 60)}', but a key ID is a UUID such as 7e1e6a84-…; copy it from the API account in Apple Business.`,
    );
  }
  if (raw === undefined) {
    throw new InputError(
      'private-key',
      "Input private-key is required: pass the contents of the API account's private key (.pem) file, for example from a secret.",
    );
  }
  const privateKey = readKey(raw);
  maskSecret(src.mask, privateKey.pem);
  // The client ID says which product the account belongs to; an explicit scope wins.
  const school = clientId.toUpperCase().startsWith('SCHOOLAPI.');
  const scope: BusinessScope = oneOf(src, 'scope', ['business.api', 'school.api'] as const, school ? 'school.api' : 'business.api', {
    business: 'business.api',
    school: 'school.api',
  });
  const defaultBase = scope === 'school.api' ? DEFAULT_SCHOOL_BASE_URL : DEFAULT_BUSINESS_BASE_URL;
  const baseUrl = parseUrl('api-base-url', optionalString(src, 'api-base-url') ?? defaultBase, defaultBase, true);
  const tokenUrl = parseUrl('token-url', optionalString(src, 'token-url') ?? DEFAULT_TOKEN_URL, DEFAULT_TOKEN_URL, false);
  return { clientId, keyId, privateKey, scope, baseUrl, tokenUrl };
}
