/**
 * Decides where an identity goes (the `import` mode, a given keychain or a new temporary one) and puts
 * it there with installIdentity. On Linux with `import: auto` it says it skipped the keychain.
 */
import { randomBytes } from 'node:crypto';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, InputError } from '../core/errors.js';
import type { Logger, Mask } from '../core/log.js';
import { execRunner, findOnPath, SecurityTool } from './keychain.js';
import { installIdentity, type KeychainState } from './install.js';
import { temporaryKeychainPath, writeKeychainMarker } from './temporary.js';

export interface KeychainImportRequest {
  mode: 'auto' | 'true' | 'false';
  /** A keychain to use; undefined for a new temporary one under runnerTemp. */
  keychain: string | undefined;
  keychainPassword: string | undefined;
  p12Path: string;
  p12Password: string;
  runnerTemp: string;
  /** Installer certificates are also trusted by productbuild and productsign. */
  installer: boolean;
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}

/** Returns the keychain the identity went into, or '' when it was not imported. */
export async function importIntoKeychain(
  r: KeychainImportRequest,
  o: { log: Logger; mask: Mask; remember: (state: Partial<KeychainState>) => void },
): Promise<string> {
  const { log } = o;
  if (r.mode === 'false') {
    log.info('import is false: the keychain was left alone.');
    return '';
  }
  const tool = await findOnPath('security');
  if (!tool) {
    if (r.mode === 'true') {
      throw new ConfigError(
        'import is true, but there is no security tool on PATH (keychains exist only on macOS); run this step on a macOS runner, or set import: auto to only write the .cer and .p12 elsewhere.',
      );
    }
    log.info('No macOS security tool here, so the keychain was skipped (import: auto); the .cer and .p12 are written.');
    return '';
  }
  const temporary = r.keychain === undefined;
  const keychain = r.keychain === undefined ? temporaryKeychainPath(r.runnerTemp) : path.resolve(r.keychain);
  const create = !(await exists(keychain));
  if (!create && !r.keychainPassword) {
    throw new InputError(
      'keychain-password',
      `Keychain ${keychain} already exists, so keychain-password is needed to unlock it; pass its password, or leave keychain empty for a new temporary keychain.`,
    );
  }
  const password = r.keychainPassword ?? randomBytes(24).toString('base64url');
  o.mask(password);
  // Only the temporary keychain is the post step's to delete, and only with the marker main writes first.
  if (temporary) o.remember({ createdKeychainMarker: await writeKeychainMarker(keychain) });
  const remember = (s: Partial<KeychainState>): void => o.remember(temporary ? s : { ...s, createdKeychain: undefined });
  const security = new SecurityTool(execRunner, (line) => log.debug(line), tool);
  const installer = r.installer ? ['/usr/bin/productbuild', '/usr/bin/productsign'] : [];
  await log.group('Keychain', async () => {
    const { searchList } = await installIdentity(
      security,
      { keychain, password, create, p12Path: r.p12Path, p12Password: r.p12Password, apps: ['/usr/bin/codesign', '/usr/bin/security', ...installer] },
      remember,
    );
    log.info(
      `${create ? 'Created' : 'Used'} keychain ${keychain}, imported the identity for codesign, and put the keychain first on the search list (${searchList.length} keychain(s), none removed).`,
    );
    if (create && !temporary) log.info('The post step keeps a keychain you named (it deletes only the temporary one it makes in RUNNER_TEMP).');
  });
  return keychain;
}
