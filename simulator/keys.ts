// API keys registered with the simulator: P-256 keys, team (issuer ID) or individual.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { ApiKeyCredentials, ApiKind } from './types.js';
import { type IdGenerator, uuid } from './ids.js';

export interface RegisteredKey {
  credentials: ApiKeyCredentials;
  publicKey: KeyObject;
}

export class KeyRegistry {
  private readonly keys = new Map<string, RegisteredKey>();

  constructor(private readonly ids: IdGenerator) {}

  add(opts: { api?: ApiKind; kind?: 'team' | 'individual'; privateKeyPem?: string } = {}): ApiKeyCredentials {
    const api = opts.api ?? 'app-store-connect';
    const kind = opts.kind ?? 'team';
    const privateKeyPem = opts.privateKeyPem ?? newP256Pem();
    const privateKey = createPrivateKey(privateKeyPem);
    if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new Error('API keys must be P-256 (prime256v1) EC keys');
    }
    const credentials: ApiKeyCredentials = { api, keyId: this.ids.next(), privateKeyPem, kind };
    if (kind === 'team') credentials.issuerId = uuid();
    this.keys.set(credentials.keyId, { credentials, publicKey: createPublicKey(privateKey) });
    return { ...credentials };
  }

  get(keyId: string): RegisteredKey | undefined {
    return this.keys.get(keyId);
  }
}

function newP256Pem(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}
