/** The identity on disk: a DER .cer and a macOS-importable .p12, in a private directory of their own. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writePkcs12 } from './pkcs12.js';

export interface IdentityFiles {
  dir: string;
  certificatePath: string;
  p12Path: string;
  p12: Buffer;
}

/** Makes the directory first and reports it through `created` before any key material is written. */
export async function makeIdentityDir(parent: string): Promise<string> {
  return mkdtemp(path.join(parent, 'apple-signing-identity-'));
}

export async function writeIdentityFiles(
  dir: string,
  identity: { privateKeyPem: string; certificateDer: Buffer; p12Password: string; name: string; serialNumber: string },
): Promise<IdentityFiles> {
  const certificatePath = path.join(dir, `${identity.serialNumber}.cer`);
  const p12Path = path.join(dir, `${identity.serialNumber}.p12`);
  const p12 = writePkcs12({
    privateKeyPem: identity.privateKeyPem,
    certificateDer: identity.certificateDer,
    password: identity.p12Password,
    friendlyName: identity.name,
  });
  await writeFile(certificatePath, identity.certificateDer, { mode: 0o644 });
  await writeFile(p12Path, p12, { mode: 0o600 });
  return { dir, certificatePath, p12Path, p12 };
}
