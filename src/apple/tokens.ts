/** ES256 JWTs for the App Store Connect and Enterprise Program APIs (Apple: Generating Tokens for API Requests). */
import { SignJWT } from 'jose';
import type { KeyObject } from 'node:crypto';
import type { TokenProvider } from '../core/http.js';

export interface AppleJwtOptions {
  keyId: string;
  /** Team keys: the issuer ID. Individual keys: undefined (the token then carries `sub: "user"`). */
  issuerId?: string | undefined;
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
    let jwt = new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: this.opts.keyId, typ: 'JWT' })
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setAudience(this.opts.audience);
    jwt = this.opts.issuerId ? jwt.setIssuer(this.opts.issuerId) : jwt.setSubject('user');
    const token = await jwt.sign(this.opts.key);
    this.opts.onToken?.(token);
    this.current = { token, exp };
    return token;
  }
}
