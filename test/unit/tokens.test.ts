import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { AppleJwtProvider } from '../../src/apple/tokens.js';

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

describe('App Store Connect tokens', () => {
  it('signs ES256 with kid and typ, iss for team keys, lifetime under 20 minutes with iat set back for skew', async () => {
    const now = 1_800_000_000_000;
    const t = await new AppleJwtProvider({ keyId: 'ABC123DEFG', issuerId: 'a-uuid', key: privateKey, audience: 'appstoreconnect-v1', now: () => now }).token();
    expect(decodeProtectedHeader(t)).toEqual({ alg: 'ES256', kid: 'ABC123DEFG', typ: 'JWT' });
    const c = decodeJwt(t);
    expect(c).toMatchObject({ iss: 'a-uuid', aud: 'appstoreconnect-v1', iat: now / 1000 - 60 });
    expect(c.sub).toBeUndefined();
    expect((c.exp as number) - (c.iat as number)).toBeLessThanOrEqual(1200);
  });
  it('always signs with the issuer and never as an individual key (sub "user"), also with the enterprise audience', async () => {
    const t = await new AppleJwtProvider({ keyId: 'K', issuerId: 'e-uuid', key: privateKey, audience: 'apple-developer-enterprise-v1' }).token();
    const c = decodeJwt(t);
    expect(c.iss).toBe('e-uuid');
    expect(c.sub).toBeUndefined();
    expect(c.aud).toBe('apple-developer-enterprise-v1');
  });
  it('reuses a token until it nears expiry, then makes a new one', async () => {
    let now = 1_800_000_000_000;
    const made: string[] = [];
    const p = new AppleJwtProvider({ keyId: 'K', issuerId: 'i', key: privateKey, audience: 'a', now: () => now, onToken: (t) => made.push(t) });
    const first = await p.token();
    now += 10 * 60_000;
    expect(await p.token()).toBe(first);
    now += 7 * 60_000;
    expect(await p.token()).not.toBe(first);
    expect(made).toHaveLength(2);
  });
});
