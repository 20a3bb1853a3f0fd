/** ES256 JWTs for the App Store Connect and Enterprise Program APIs (Apple: Generating Tokens for API Requests). */
import { SignJWT } from 'jose';
import type { KeyObject } from 'node:crypto';
import type { TokenProvider } from '../core/http.js';

export interface AppleJwtOptions {
  keyId: string;
  /** The team key's issuer ID (individual keys, which sign `sub: "user"`, cannot use the provisioning endpoints). */
  issuerId: string;
  key: KeyObject;
  audience: string;
  now?: () => number;
  /** Called with every new token before it is used, so it can be masked. */
  onToken?: (token: string) => void;
}

/** Apple refuses lifetimes over 20 minutes; `iat` is set back a minute for clock skew. */
const SKEW_SECONDS = 60;
const LIFETIME_SECONDS = 19 * 60;
/** A token is renewed when less than this remains. */
const RENEW_MARGIN_SECONDS = 120;

export class AppleJwtProvider implements TokenProvider {
  private current: { token: string; exp: number } | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: AppleJwtOptions) {
    this.now = opts.now ?? Date.now;
  }

  async token(): Promise<string> {
    const nowS = Math.floor(this.now() / 1000);
    if (this.current && this.current.exp - nowS > RENEW_MARGIN_SECONDS) return this.current.token;
    return this.renew();
  }

  async renew(): Promise<string> {
    const iat = Math.floor(this.now() / 1000) - SKEW_SECONDS;
    const exp = iat + LIFETIME_SECONDS;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: this.opts.keyId, typ: 'JWT' })
      .setIssuer(this.opts.issuerId)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setAudience(this.opts.audience)
      .sign(this.opts.key);
    this.opts.onToken?.(token);
    this.current = { token, exp };
    return token;
  }
}
