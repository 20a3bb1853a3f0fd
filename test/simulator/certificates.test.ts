// Certificates: real X.509 from a CSR, the per-type limit, revocation (docs/apple-facts.md §1.7).
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import forge from 'node-forge';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type ApiKeyCredentials, type Simulator } from '../../simulator/index.js';
import { call, responseProblems } from './helpers.js';

const OPENSSL = '/usr/bin/openssl';
const dir = mkdtempSync(path.join(tmpdir(), 'sim-certs-'));

let sim: Simulator;
let key: ApiKeyCredentials;

beforeAll(async () => {
  sim = await startSimulator({ certificateLimitPerType: 3 });
  key = sim.addKey();
});
afterAll(() => sim.close());
afterEach(() => {
  expect(responseProblems(sim)).toEqual([]);
  sim.clearRequests();
});

/** A fresh RSA-2048 key and a CSR for it (made with node-forge, as a client would). */
function newCsr(): { csrPem: string; csrDerBase64: string; publicKeyPem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const fkey = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.setRsaPublicKey(fkey.n, fkey.e);
  csr.setSubject([
    { name: 'commonName', value: 'CI signing key' },
    { name: 'emailAddress', value: 'ci@example.com' },
  ]);
  csr.sign(fkey, forge.md.sha256.create());
  const csrPem = forge.pki.certificationRequestToPem(csr);
  const der = forge.asn1.toDer(forge.pki.certificationRequestToAsn1(csr)).getBytes();
  return {
    csrPem,
    csrDerBase64: Buffer.from(der, 'binary').toString('base64'),
    publicKeyPem: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString(),
  };
}

const certBody = (csrContent: string, certificateType: string) => ({ data: { type: 'certificates', attributes: { csrContent, certificateType } } });

function openssl(args: string[]): string {
  return execFileSync(OPENSSL, args, { encoding: 'utf8' });
}

describe('creating a certificate from a CSR', () => {
  it('issues a real X.509 certificate that openssl reads, with the CSR public key and the Apple-style subject', async () => {
    const csr = newCsr();
    const r = await call(sim, key, 'POST', '/v1/certificates', { body: certBody(csr.csrPem, 'DISTRIBUTION') });
    expect(r.status).toBe(201);
    const a = r.body.data.attributes;
    expect(a).toMatchObject({
      certificateType: 'DISTRIBUTION',
      name: 'Apple Distribution: Simulated Team',
      displayName: 'Created via API',
      activated: true,
    });
    expect(a.serialNumber).toMatch(/^[0-9A-F]+$/);
    const file = path.join(dir, 'dist.cer');
    writeFileSync(file, Buffer.from(a.certificateContent, 'base64'));
    const text = openssl(['x509', '-inform', 'DER', '-in', file, '-noout', '-subject', '-serial', '-nameopt', 'RFC2253']);
    expect(text).toContain('CN=Apple Distribution: Simulated Team (SIMTEAM123)');
    expect(text).toContain('OU=SIMTEAM123');
    expect(text).toContain(`serial=${a.serialNumber}`);
    const pubkey = openssl(['x509', '-inform', 'DER', '-in', file, '-noout', '-pubkey']);
    expect(pubkey.trim()).toBe(csr.publicKeyPem.trim());
    const cert = new X509Certificate(Buffer.from(a.certificateContent, 'base64'));
    expect(cert.verify(new X509Certificate(sim.caCertPem).publicKey)).toBe(true);
    expect(new Date(a.expirationDate).getTime()).toBe(new Date(cert.validTo).getTime());
    expect(new Date(a.expirationDate).getTime() - Date.now()).toBeGreaterThan(364 * 86_400_000);
  });

  it('accepts csrContent as base64 DER and names development certificates "Apple Development"', async () => {
    const csr = newCsr();
    const r = await call(sim, key, 'POST', '/v1/certificates', { body: certBody(csr.csrDerBase64, 'DEVELOPMENT') });
    expect(r.status).toBe(201);
    const cert = new X509Certificate(Buffer.from(r.body.data.attributes.certificateContent, 'base64'));
    expect(cert.subject).toContain('CN=Apple Development: Simulated Team (SIMTEAM123)');
    expect(cert.publicKey.export({ type: 'spki', format: 'pem' }).toString().trim()).toBe(csr.publicKeyPem.trim());
  });

  it('uses the legacy names for IOS_DISTRIBUTION ("iPhone Distribution") and sets platform IOS', async () => {
    const r = await call(sim, key, 'POST', '/v1/certificates', { body: certBody(newCsr().csrPem, 'IOS_DISTRIBUTION') });
    expect(r.body.data.attributes).toMatchObject({ name: 'iPhone Distribution: Simulated Team', platform: 'IOS' });
  });

  it('refuses content that is not a CSR with 409 ENTITY_ERROR.ATTRIBUTE.INVALID on csrContent', async () => {
    const r = await call(sim, key, 'POST', '/v1/certificates', {
      body: certBody('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----', 'DISTRIBUTION'),
    });
    expect(r.status).toBe(409);
    expect(r.body.errors[0]).toMatchObject({ code: 'ENTITY_ERROR.ATTRIBUTE.INVALID', source: { pointer: '/data/attributes/csrContent' } });
  });

  it('refuses a certificateType the API does not have (IDENTITY_ACCESS on Enterprise)', async () => {
    const ent = sim.addKey({ api: 'enterprise' });
    const r = await call(sim, ent, 'POST', '/v1/certificates', { body: certBody(newCsr().csrPem, 'IDENTITY_ACCESS') });
    expect(r.status).toBe(409);
    expect(r.body.errors[0].source).toEqual({ pointer: '/data/attributes/certificateType' });
  });

  it("refuses a certificate past the per-type limit with Apple's 409 'You already have a current … certificate'", async () => {
    const s = await startSimulator({ certificateLimitPerType: 2 });
    try {
      const k = s.addKey();
      s.seed.certificate({ certificateType: 'DISTRIBUTION', expiresAt: new Date(Date.now() - 86_400_000) }); // expired: does not count
      for (let i = 0; i < 2; i++) expect((await call(s, k, 'POST', '/v1/certificates', { body: certBody(newCsr().csrPem, 'DISTRIBUTION') })).status).toBe(201);
      const r = await call(s, k, 'POST', '/v1/certificates', { body: certBody(newCsr().csrPem, 'DISTRIBUTION') });
      expect(r.status).toBe(409);
      expect(r.body.errors[0]).toMatchObject({
        code: 'ENTITY_ERROR',
        detail: 'You already have a current Distribution certificate or a pending certificate request.',
      });
      expect((await call(s, k, 'POST', '/v1/certificates', { body: certBody(newCsr().csrPem, 'DEVELOPMENT') })).status).toBe(201);
    } finally {
      await s.close();
    }
  });
});

describe('Developer ID certificates and per-type limits', () => {
  it.each(['DEVELOPER_ID_APPLICATION', 'DEVELOPER_ID_APPLICATION_G2', 'DEVELOPER_ID_KEXT', 'DEVELOPER_ID_KEXT_G2'])(
    'refuses to create a %s certificate by default with 409 ENTITY_ERROR.ATTRIBUTE.INVALID on certificateType',
    async (type) => {
      const r = await call(sim, key, 'POST', '/v1/certificates', { body: certBody(newCsr().csrPem, type) });
      expect(r.status).toBe(409);
      expect(r.body.errors[0]).toMatchObject({
        code: 'ENTITY_ERROR.ATTRIBUTE.INVALID',
        detail: `Certificates of type '${type}' cannot be created through the API. The Account Holder can create them on the Apple Developer website.`,
        source: { pointer: '/data/attributes/certificateType' },
      });
      expect(sim.state().certificates.filter((c) => c.certificateType === type)).toEqual([]);
    },
  );

  it('creates Developer ID certificates with allowDeveloperIdCertificateCreation, up to 5 of a type by default', async () => {
    const s = await startSimulator({ allowDeveloperIdCertificateCreation: true });
    try {
      const k = s.addKey();
      for (let i = 0; i < 5; i++) {
        const r = await call(s, k, 'POST', '/v1/certificates', { body: certBody(newCsr().csrPem, 'DEVELOPER_ID_APPLICATION') });
        expect(r.status).toBe(201);
        expect(r.body.data.attributes).toMatchObject({ name: 'Developer ID Application: Simulated Team', platform: 'MAC_OS' });
      }
      const sixth = await call(s, k, 'POST', '/v1/certificates', { body: certBody(newCsr().csrPem, 'DEVELOPER_ID_APPLICATION') });
      expect(sixth.status).toBe(409);
      expect(sixth.body.errors[0].detail).toMatch(/^You already have a current .* certificate or a pending certificate request\.$/);
      expect(responseProblems(s)).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('takes a limit per certificate type (certificateLimits), other types keeping certificateLimitPerType', async () => {
    const s = await startSimulator({ certificateLimits: { DISTRIBUTION: 1 }, certificateLimitPerType: 2 });
    try {
      const k = s.addKey();
      const post = (type: string) => call(s, k, 'POST', '/v1/certificates', { body: certBody(newCsr().csrPem, type) });
      expect((await post('DISTRIBUTION')).status).toBe(201);
      expect((await post('DISTRIBUTION')).status).toBe(409);
      expect((await post('DEVELOPMENT')).status).toBe(201);
      expect((await post('DEVELOPMENT')).status).toBe(201);
      expect((await post('DEVELOPMENT')).status).toBe(409);
    } finally {
      await s.close();
    }
  });

  it('answers 400 PARAMETER_ERROR.INVALID to a certificateType filter named in rejectedCertificateTypeFilters (Apple lagging its spec)', async () => {
    const s = await startSimulator({ rejectedCertificateTypeFilters: ['DEVELOPER_ID_APPLICATION_G2'] });
    try {
      const k = s.addKey();
      const old = s.seed.certificate({ certificateType: 'DEVELOPER_ID_APPLICATION' });
      const r = await call(s, k, 'GET', '/v1/certificates?filter[certificateType]=DEVELOPER_ID_APPLICATION_G2,DEVELOPER_ID_APPLICATION');
      expect(r.status).toBe(400);
      expect(r.body.errors[0]).toMatchObject({
        code: 'PARAMETER_ERROR.INVALID',
        detail: "'DEVELOPER_ID_APPLICATION_G2' is not a valid value for the parameter 'filter[certificateType]'.",
        source: { parameter: 'filter[certificateType]' },
      });
      const fallback = await call(s, k, 'GET', '/v1/certificates?filter[certificateType]=DEVELOPER_ID_APPLICATION');
      expect(fallback.body.data.map((c: { id: string }) => c.id)).toEqual([old.id]);
      // By default the filter takes every value the spec lists.
      expect((await call(sim, key, 'GET', '/v1/certificates?filter[certificateType]=DEVELOPER_ID_APPLICATION_G2')).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});

describe('listing, updating and revoking certificates', () => {
  it('filters by certificateType and serialNumber', async () => {
    const seeded = sim.seed.certificate({ certificateType: 'MAC_APP_DISTRIBUTION' });
    const byType = await call(sim, key, 'GET', '/v1/certificates?filter[certificateType]=MAC_APP_DISTRIBUTION');
    expect(byType.body.data.map((c: { id: string }) => c.id)).toEqual([seeded.id]);
    const bySerial = await call(sim, key, 'GET', `/v1/certificates?filter[serialNumber]=${seeded.serialNumber}`);
    expect(bySerial.body.data).toHaveLength(1);
  });

  it('gives a seeded certificate a real X.509 for the private key it returns', () => {
    const seeded = sim.seed.certificate({ certificateType: 'IOS_DEVELOPMENT' });
    const cert = new X509Certificate(Buffer.from(seeded.certificateContent, 'base64'));
    expect(cert.checkPrivateKey(createPrivateKey(seeded.privateKeyPem))).toBe(true);
    expect(cert.subject).toContain('CN=iPhone Developer: Simulated Team (SIMTEAM123)');
  });

  it('deactivates a certificate with PATCH activated=false (App Store Connect)', async () => {
    const c = sim.seed.certificate({ certificateType: 'DEVELOPMENT' });
    const r = await call(sim, key, 'PATCH', `/v1/certificates/${c.id}`, {
      body: { data: { type: 'certificates', id: c.id, attributes: { activated: false } } },
    });
    expect(r.status).toBe(200);
    expect(r.body.data.attributes.activated).toBe(false);
  });

  it('has no PATCH on Enterprise certificates (405)', async () => {
    const ent = sim.addKey({ api: 'enterprise' });
    const c = sim.seed.certificate({ certificateType: 'DISTRIBUTION', api: 'enterprise' });
    const r = await call(sim, ent, 'PATCH', `/v1/certificates/${c.id}`, {
      body: { data: { type: 'certificates', id: c.id, attributes: { activated: false } } },
    });
    expect(r.status).toBe(405);
  });

  it('revokes with DELETE: 204, the certificate is gone and profiles holding it become INVALID', async () => {
    const c = sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
    const b = sim.seed.bundleId({ identifier: 'com.example.revoke' });
    const p = sim.seed.profile({ name: 'Revoke me', profileType: 'IOS_APP_STORE', bundleId: b.id, certificateIds: [c.id] });
    const r = await call(sim, key, 'DELETE', `/v1/certificates/${c.id}`);
    expect(r.status).toBe(204);
    expect(r.text).toBe('');
    expect((await call(sim, key, 'GET', `/v1/certificates/${c.id}`)).status).toBe(404);
    expect(sim.state().profiles.find((x) => x.id === p.id)?.profileState).toBe('INVALID');
  });

  it('revokeCertificate() does the same as a revocation on the portal', () => {
    const c = sim.seed.certificate({ certificateType: 'DEVELOPMENT' });
    const b = sim.seed.bundleId({ identifier: 'com.example.portal' });
    const d = sim.seed.device({ udid: '00008110-0000000000000P01' });
    const p = sim.seed.profile({ name: 'Portal', profileType: 'IOS_APP_DEVELOPMENT', bundleId: b.id, certificateIds: [c.id], deviceIds: [d.id] });
    sim.revokeCertificate(c.id);
    expect(sim.state().certificates.some((x) => x.id === c.id)).toBe(false);
    expect(sim.state().profiles.find((x) => x.id === p.id)?.profileState).toBe('INVALID');
    expect(() => sim.revokeCertificate(c.id)).toThrow();
  });
});
