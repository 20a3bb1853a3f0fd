/** The inputs every App Store Connect / Enterprise Program API action shares (see the README). */
import type { AppleApiConfig } from '../../apple/client.js';
import { API_KEY, API_KINDS, DEFAULT_BASE_URL, type ApiKind } from '../../apple/api.js';
import { InputError } from '../../core/errors.js';
import { maskSecret } from '../../core/log.js';
import { parseEcPrivateKey } from '../../core/keys.js';
import { apiUrl, oneOf, optionalString, requiredString, secretString, type InputSource } from './inputs.js';
import { quoteValue } from '../../core/redact.js';

export const APPLE_API_INPUTS = ['key-id', 'issuer-id', 'private-key', 'api', 'api-base-url'] as const;

/**
 * Why an empty issuer-id is refused: without one the key is an individual key, and Apple's "Creating API
 * Keys for App Store Connect API" says individual keys "aren't able to use Provisioning endpoints", which
 * is every request this suite makes. The role is the one docs/API-KEYS.md names for these actions.
 */
const TEAM_KEY_HINT: Record<ApiKind, string> = {
  'app-store-connect':
    "individual API keys cannot use Apple's provisioning endpoints (devices, bundle IDs, certificates, profiles), so use a team key (App Store Connect > Users and Access > Integrations > Team Keys) with the Admin role, or App Manager when no certificate is created, and pass its issuer ID",
  enterprise:
    "individual API keys cannot use Apple's provisioning endpoints (devices, bundle IDs, certificates, profiles), so use a team key with the Admin role (developer.apple.com > Users and Access > Integrations) and pass its issuer ID",
};

export function readAppleApiInputs(src: InputSource): AppleApiConfig {
  const raw = secretString(src, 'private-key');
  const keyId = requiredString(src, 'key-id', 'the API key ID shown next to the key in App Store Connect > Users and Access > Integrations');
  if (!/^[A-Za-z0-9]{6,20}$/.test(keyId)) {
    throw new InputError(
      'key-id',
      `Input key-id is ${quoteValue(keyId)}, but an API key ID is letters and digits only, usually 10 (e.g. 2X9R4HXF34); pass the key ID, not the file name or issuer ID.`,
    );
  }
  if (raw === undefined) {
    throw new InputError('private-key', 'Input private-key is required: pass the contents of the AuthKey_XXXXXXXXXX.p8 file, for example from a secret.');
  }
  const privateKey = parseEcPrivateKey(raw, API_KEY);
  maskSecret(src.mask, privateKey.pem);
  const api: ApiKind = oneOf(src, 'api', API_KINDS, 'app-store-connect', { asc: 'app-store-connect', 'in-house': 'enterprise' });
  const issuerId = requiredString(src, 'issuer-id', TEAM_KEY_HINT[api]);
  if (!/^[0-9a-fA-F-]{36}$/.test(issuerId)) {
    throw new InputError(
      'issuer-id',
      `Input issuer-id is ${quoteValue(issuerId)}, but an issuer ID is a UUID (8-4-4-4-12 hex digits); copy the one shown above the team keys in Users and Access > Integrations.`,
    );
  }
  const baseUrl = apiUrl('api-base-url', optionalString(src, 'api-base-url') ?? DEFAULT_BASE_URL[api], DEFAULT_BASE_URL[api], true);
  return { api, baseUrl, keyId, issuerId, privateKey };
}
