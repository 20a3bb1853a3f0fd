/** Typed errors. Each is turned into one sentence only at an action's edge (see `describeError`). */

/** One entry of Apple's `ErrorResponse.errors`. */
export interface AppleErrorEntry {
  id?: string;
  status: string;
  code: string;
  title: string;
  detail: string;
  source?: { pointer?: string; parameter?: string };
}

/** An error response from an Apple API, with what a user needs to report or fix it. */
export class AppleApiError extends Error {
  override readonly name = 'AppleApiError';
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly requestId: string | undefined;
  readonly method: string;
  readonly path: string;
  readonly errors: readonly AppleErrorEntry[];

  constructor(init: { status: number; method: string; path: string; errors: readonly AppleErrorEntry[]; requestId?: string | undefined }) {
    const first = init.errors[0];
    const code = first?.code ?? `HTTP_${init.status}`;
    const title = first?.title ?? 'Unexpected response';
    const detail = first?.detail ?? `Apple answered ${init.method} ${init.path} with HTTP ${init.status} and no error body.`;
    super(`${init.method} ${init.path}: ${init.status} ${code}: ${detail}`);
    this.status = init.status;
    this.code = code;
    this.title = title;
    this.detail = detail;
    this.requestId = init.requestId ?? first?.id;
    this.method = init.method;
    this.path = init.path;
    this.errors = init.errors;
  }

  /** Apple's codes are hierarchical (`ENTITY_ERROR.ATTRIBUTE.INVALID`); match them by prefix. */
  hasCode(prefix: string): boolean {
    return this.errors.some((e) => e.code === prefix || e.code.startsWith(`${prefix}.`));
  }

  /** Whether any entry's detail matches. */
  detailMatches(pattern: RegExp): boolean {
    return this.errors.some((e) => pattern.test(e.detail));
  }
}

/** The API could not be reached (refused, reset, timed out) even after retries. */
export class AppleConnectionError extends Error {
  override readonly name = 'AppleConnectionError';
  constructor(
    readonly method: string,
    readonly url: string,
    readonly causeCode: string,
    options?: { cause?: unknown },
  ) {
    super(`Could not reach ${url} (${method}): ${causeCode}.`, options);
  }
}

/** A user input is wrong. The message is a complete sentence naming the input and what is accepted. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly input: string,
    message: string,
  ) {
    super(message);
  }
}

/** Something the step relies on is wrong that no single input explains (e.g. an account lacks a certificate). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** What to do about a status, appended to Apple's own words. */
function advice(err: AppleApiError): string {
  if (err.status === 401) {
    return 'Check that key-id, issuer-id and private-key belong to the same team API key, that the key is not revoked, and that api matches the account.';
  }
  if (err.status === 403) {
    return "The API key's role does not allow this; use a key with the Admin or App Manager role (Users and Access > Integrations), or have the Account Holder accept the latest agreement.";
  }
  if (err.status === 429) {
    return "Apple's hourly request budget for this key is spent; run again later or spread jobs over several keys.";
  }
  if (err.status >= 500) return "Apple's service failed; run the job again later.";
  return '';
}

/**
 * Apple's refusal as one sentence: what was asked, Apple's code, title and detail, the request id,
 * then what to do (`advice`, which differs per API).
 */
export function refusalSentence(err: AppleApiError, advice: string): string {
  const id = err.requestId ? ` (request id ${err.requestId})` : '';
  const detail = err.detail.trim().replace(/\.+$/, '');
  return `Apple refused ${err.method} ${err.path}: ${err.status} ${err.code} "${err.title}": ${detail}${id}.${advice ? ` ${advice}` : ''}`;
}

/** The one sentence an action prints when it fails. Never includes request bodies or credentials. */
export function describeError(err: unknown): string {
  if (err instanceof AppleApiError) return refusalSentence(err, advice(err));
  if (err instanceof AppleConnectionError) {
    return `${err.message} Check the network, api-base-url and any HTTPS_PROXY/NO_PROXY settings, then run the job again.`;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}
