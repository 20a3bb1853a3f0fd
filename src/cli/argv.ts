/** Command-line arguments: `<command> [--<input> <value> | --<input>=<value> | --<flag>] ...`. */

export interface ParsedArgs {
  command: string | undefined;
  values: Map<string, string>;
  json: boolean;
  /** --show-base64: print base64 outputs (a profile, a p12) on a terminal too. */
  showBase64: boolean;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseArgv(argv: readonly string[], booleanFlags: ReadonlySet<string>): ParsedArgs {
  const values = new Map<string, string>();
  let command: string | undefined;
  let json = false;
  let showBase64 = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--json') json = true;
    else if (arg === '--show-base64') showBase64 = true;
    else if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      if (!name) throw new UsageError(`'${arg}' is not an option; options look like --key-id ABC123DEFG.`);
      if (eq !== -1) values.set(name, arg.slice(eq + 1));
      else if (booleanFlags.has(name) && (argv[i + 1] === undefined || argv[i + 1]?.startsWith('--'))) values.set(name, 'true');
      else {
        const next = argv[i + 1];
        if (next === undefined) throw new UsageError(`Option --${name} needs a value.`);
        values.set(name, next);
        i++;
      }
    } else if (command === undefined) command = arg;
    else throw new UsageError(`Unexpected argument '${arg}'; give values as --<input> <value>.`);
  }
  return { command, values, json, showBase64 };
}

/** The environment variable that can carry an input: APPLE_SIGNING_PRIVATE_KEY for private-key. */
export function envName(input: string): string {
  return `APPLE_SIGNING_${input.toUpperCase().replace(/-/g, '_')}`;
}
