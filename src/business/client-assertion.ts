/**
 * The signed client assertion of the Apple Business / School Manager API's OAuth flow (docs/apple-facts.md §3.1):
 * ES256 with `kid`, `iss` = `sub` = the client ID, Apple's token audience, a fresh `jti` every time.
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';

/** The `aud` Apple requires (it differs from the token URL: note the `/v2`). */
export const BUSINESS_TOKEN_AUDIENCE = 'https://account.apple.com/auth/oauth2/v2/token';

/**
 * Apple allows up to 180 days; an assertion only has to outlive one token request, so one hour keeps a
 * leaked assertion nearly worthless.
 */
const ASSERTION_LIFETIME_SECONDS = 60 * 60;
/** `iat` is set back a minute in case our clock runs ahead of Apple's. */
const SKEW_SECONDS = 60;

export interface ClientAssertionOptions {
  clientId: string;
  keyId: string;
  key: KeyObject;
  now?: () => number;
  audience?: string;
}

export async function signClientAssertion(o: ClientAssertionOptions): Promise<string> {
  const iat = Math.floor((o.now ?? Date.now)() / 1000) - SKEW_SECONDS;
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: o.keyId, typ: 'JWT' })
    .setIssuer(o.clientId)
    .setSubject(o.clientId)
    .setAudience(o.audience ?? BUSINESS_TOKEN_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ASSERTION_LIFETIME_SECONDS)
    .setJti(randomUUID())
    .sign(o.key);
}
