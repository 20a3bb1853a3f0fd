/**
 * What logic may say while it works. Actions back it with @actions/core; the CLI with stderr. Both
 * front ends wrap their sink in {@link safeLogger}, so every message, title and group name, whatever
 * data from Apple, a file or a user it holds, reaches the log as one line that the runner cannot read
 * as a workflow command.
 */
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

/** Secrets shorter than this are not masked (masking one character would garble every log line). */
export const MIN_MASKABLE = 4;

export const silentLogger: Logger = {
  info: () => undefined,
  debug: () => undefined,
  warning: () => undefined,
  notice: () => undefined,
  group: (_name, fn) => fn(),
};

/**
 * C0 and C1 controls, DEL, the Unicode line and paragraph separators, and the invisible direction
 * marks and overrides that make a line read differently from what it holds.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** The text on one line: every control character shown as an escape (`\n`, `\u001b`), nothing else changed. */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * One log line the Actions runner reads as plain text. The runner splits output at CR and LF, takes a
 * line as a command when it starts with `::` after leading white space, and (the older form) when
 * `##[` appears anywhere in it (actions/runner ActionCommand.TryParseV2 and TryParse). So controls are
 * escaped, a leading `::` gets a backslash, and `##[` becomes `##\[`.
 */
export function logLine(text: string): string {
  return escapeControls(text)
    .replace(/##\[/g, '##\\[')
    .replace(/^(\s*)::/, '$1\\::');
}

/** A logger that hands its sink only {@link logLine}s: messages, annotation titles and group names alike. */
export function safeLogger(sink: Logger): Logger {
  const title = (t: string | undefined): string | undefined => (t === undefined ? undefined : logLine(t));
  return {
    info: (m) => sink.info(logLine(m)),
    debug: (m) => sink.debug(logLine(m)),
    warning: (m, t) => sink.warning(logLine(m), title(t)),
    notice: (m, t) => sink.notice(logLine(m), title(t)),
    group: (name, fn) => sink.group(logLine(name), fn),
  };
}

/**
 * Registers a secret in every form a log line could show it in. The runner matches masks within one
 * line, so a multi-line secret (a PEM key, wrapped base64) is also masked line by line; a PEM's body is
 * also masked joined (the key's DER as base64) and the whole text as base64 (how keys are often stored).
 * Armor lines (`-----BEGIN …`) and lines under 8 characters are not secret enough to hide on their own.
 */
export function maskSecret(mask: Mask, secret: string): void {
  const trimmed = secret.trim();
  if (trimmed === '') return;
  mask(secret);
  if (trimmed !== secret) mask(trimmed);
  if (!/[\r\n]/.test(trimmed)) return;
  const lines = trimmed
    .split(/\r?\n|\r/)
    .map((l) => l.trim())
    .filter((l) => l.length >= 8 && !l.startsWith('-----'));
  for (const line of lines) mask(line);
  if (lines.length > 1) mask(lines.join(''));
  mask(Buffer.from(trimmed).toString('base64'));
}
