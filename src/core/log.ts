/** What logic may say while it works. Actions back it with @actions/core; the CLI with stderr. */
export interface Logger {
  info(message: string): void;
  debug(message: string): void;
  /** An annotation the user should act on (e.g. something expires soon). */
  warning(message: string, title?: string): void;
  /** An annotation worth seeing that needs no action. */
  notice(message: string, title?: string): void;
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/** Registers a secret so that no log line shows it. */
export type Mask = (secret: string) => void;

export const silentLogger: Logger = {
  info: () => undefined,
  debug: () => undefined,
  warning: () => undefined,
  notice: () => undefined,
  group: (_name, fn) => fn(),
};
