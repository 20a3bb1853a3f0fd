/**
 * macOS keychains through the `security` tool. Its command lines carry passwords (`-p`, `-P`, `-k`), so
 * commands run silently and only a redacted form is ever logged or put in an error.
 */
import { access, constants } from 'node:fs/promises';
import path from 'node:path';

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs a program without echoing its arguments. */
export type CommandRunner = (tool: string, args: readonly string[]) => Promise<CommandResult>;

/** @actions/exec with `silent: true` (its default echoes the whole argv, passwords included). */
export const execRunner: CommandRunner = async (tool, args) => {
  const { getExecOutput } = await import('@actions/exec');
  const r = await getExecOutput(tool, [...args], { silent: true, ignoreReturnCode: true });
  return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
};

const SECRET_FLAGS = new Set(['-p', '-P', '-k']);

/** The command line with the value after every password flag replaced. */
export function redact(args: readonly string[]): string {
  return args.map((a, i) => (i > 0 && SECRET_FLAGS.has(args[i - 1] ?? '') ? '***' : /\s/.test(a) ? JSON.stringify(a) : a)).join(' ');
}

export class KeychainError extends Error {
  override readonly name = 'KeychainError';
  constructor(
    /** Redacted. */
    readonly command: string,
    readonly exitCode: number,
    readonly stderr: string,
    what: string,
  ) {
    super(`${what} failed: security ${command} exited with ${exitCode}${stderr ? `: ${stderr}` : ''}.`);
  }
}

/** Apps allowed to use the imported key without a prompt (`-T`). */
export const DEFAULT_TRUSTED_APPS = ['/usr/bin/codesign', '/usr/bin/security'] as const;

export class SecurityTool {
  constructor(
    private readonly run: CommandRunner,
    private readonly log: (line: string) => void = () => undefined,
    private readonly tool = 'security',
  ) {}

  private async exec(what: string, args: string[]): Promise<string> {
    const line = redact(args);
    this.log(`security ${line}`);
    const r = await this.run(this.tool, args);
    if (r.exitCode !== 0) throw new KeychainError(line, r.exitCode, r.stderr.trim().split('\n').slice(-3).join(' ').slice(0, 400), what);
    return r.stdout;
  }

  async createKeychain(keychain: string, password: string): Promise<void> {
    await this.exec('Creating the keychain', ['create-keychain', '-p', password, keychain]);
  }

  /** `-lut`: lock on sleep and after `timeoutSeconds` idle (6 h, longer than any job), never sooner. */
  async setSettings(keychain: string, timeoutSeconds = 21_600): Promise<void> {
    await this.exec('Setting the keychain timeout', ['set-keychain-settings', '-lut', String(timeoutSeconds), keychain]);
  }

  async unlock(keychain: string, password: string): Promise<void> {
    await this.exec('Unlocking the keychain', ['unlock-keychain', '-p', password, keychain]);
  }

  async importPkcs12(keychain: string, p12Path: string, p12Password: string, apps: readonly string[] = DEFAULT_TRUSTED_APPS): Promise<void> {
    const trust = apps.flatMap((a) => ['-T', a]);
    await this.exec('Importing the identity', ['import', p12Path, '-k', keychain, '-f', 'pkcs12', '-P', p12Password, ...trust]);
  }

  /** Lets Apple's tools (codesign, productbuild) use the key without a UI prompt; `-s` for Catalina and later. */
  async setKeyPartitionList(keychain: string, password: string): Promise<void> {
    await this.exec('Setting the key partition list', ['set-key-partition-list', '-S', 'apple-tool:,apple:,codesign:', '-s', '-k', password, keychain]);
  }

  /** The user's keychain search list, in order. */
  async searchList(): Promise<string[]> {
    return parseKeychainList(await this.exec('Reading the keychain search list', ['list-keychains', '-d', 'user']));
  }

  async setSearchList(keychains: readonly string[]): Promise<void> {
    await this.exec('Setting the keychain search list', ['list-keychains', '-d', 'user', '-s', ...keychains]);
  }

  async deleteKeychain(keychain: string): Promise<void> {
    await this.exec('Deleting the keychain', ['delete-keychain', keychain]);
  }
}

/** `security list-keychains` prints one quoted path a line. */
function parseKeychainList(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((l) => l.trim().replace(/^"(.*)"$/, '$1'))
    .filter((l) => l !== '');
}

/** Where `tool` is on PATH, or undefined (Linux and Windows runners have no `security`). */
export async function findOnPath(tool: string, pathEnv = process.env['PATH'] ?? ''): Promise<string | undefined> {
  for (const dir of pathEnv.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, tool);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
