/**
 * Input parsing shared by every front end (GitHub Actions and the command line). A source only
 * hands out raw strings; every check, default and error sentence lives here, once.
 */
import { InputError } from '../../core/errors.js';
import { maskSecret, type Mask } from '../../core/log.js';
import { looksLikeKeyMaterial, quoteValue } from '../../core/redact.js';

export interface InputSource {
  /** The raw value, '' when not given. */
  get(name: string): string;
  /** Registers a secret value so no log line shows it. */
  mask: Mask;
}

/** A value; one that looks like a key (pasted into the wrong input) is masked at once, and no error repeats it (quoteValue). */
export function optionalString(src: InputSource, name: string): string | undefined {
  const v = src.get(name).trim();
  if (looksLikeKeyMaterial(v)) src.mask(v);
  return v === '' ? undefined : v;
}

export function requiredString(src: InputSource, name: string, hint: string): string {
  const v = optionalString(src, name);
  if (v === undefined) throw new InputError(name, `Input ${name} is required: ${hint}.`);
  return v;
}

/** A secret: masked (in every form, see maskSecret) as soon as it is read, and never echoed in an error. */
export function secretString(src: InputSource, name: string): string | undefined {
  const raw = src.get(name);
  if (raw.trim() === '') return undefined;
  maskSecret(src.mask, raw);
  return raw.trim();
}

const TRUE = new Set(['true', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'no', 'off', '0']);

export function booleanInput(src: InputSource, name: string, fallback: boolean): boolean {
  const v = optionalString(src, name);
  if (v === undefined) return fallback;
  const lower = v.toLowerCase();
  if (TRUE.has(lower)) return true;
  if (FALSE.has(lower)) return false;
  throw new InputError(name, `Input ${name} is ${quoteValue(v)}, but it takes true or false.`);
}

/** One of a fixed set; `aliases` maps accepted spellings (lower-case) to canonical values. */
export function oneOf<T extends string>(src: InputSource, name: string, values: readonly T[], fallback: T | undefined, aliases: Record<string, T> = {}): T {
  const v = optionalString(src, name);
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new InputError(name, `Input ${name} is required: one of ${values.join(', ')}.`);
  }
  const exact = values.find((x) => x === v);
  if (exact) return exact;
  const alias = aliases[v.toLowerCase()] ?? values.find((x) => x.toLowerCase() === v.toLowerCase());
  if (alias) return alias;
  throw new InputError(name, `Input ${name} is ${quoteValue(v)}, but it takes one of ${values.join(', ')}.`);
}

export function integerInput(src: InputSource, name: string, fallback: number, min = 0): number {
  const v = optionalString(src, name);
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < min) {
    throw new InputError(name, `Input ${name} is ${quoteValue(v)}, but it takes a whole number of at least ${min} (default ${fallback}).`);
  }
  return Number(v);
}

/** Items given one a line or comma-separated; blank items and `#` comment lines dropped. */
export function listInput(src: InputSource, name: string): string[] {
  return src
    .get(name)
    .split(/\r?\n/)
    .filter((line) => !line.trim().startsWith('#'))
    .flatMap((line) => line.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** 127.0.0.0/8, ::1 and localhost: the only hosts plain http may reach (a local simulator or proxy). */
function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * An API URL input (api-base-url, token-url): https, or http on a loopback host only, since the token
 * would otherwise cross the network in clear. `originOnly` takes an origin (a trailing /v1 is dropped).
 */
export function apiUrl(input: string, value: string, example: string, originOnly: boolean): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError(input, `Input ${input} is ${quoteValue(value)}, but it takes a URL such as ${example}.`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw new InputError(
      input,
      `Input ${input} is ${quoteValue(value)}, but it takes an https URL such as ${example} (plain http only for a loopback host such as 127.0.0.1 or localhost).`,
    );
  }
  if (!originOnly) return url.toString();
  const path = url.pathname.replace(/\/+$/, '');
  if (path !== '' && path !== '/v1') {
    throw new InputError(
      input,
      `Input ${input} is ${quoteValue(value)}, but it takes an origin without a path, such as ${example} (the /v1 is added by the action).`,
    );
  }
  return url.origin;
}
