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

/** What to do about a refusal, appended to Apple's own words; each API client supplies its own. */
export type Advice = (err: AppleApiError) => string;

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
  /** The advice of the API that refused (App Store Connect's or Apple Business's); none by default. */
  readonly advise: Advice;

  constructor(init: {
    status: number;
    method: string;
    path: string;
    errors: readonly AppleErrorEntry[];
    requestId?: string | undefined;
    advise?: Advice | undefined;
  }) {
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
    this.advise = init.advise ?? (() => '');
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

/**
 * The API could not be reached (refused, reset, timed out) even after retries. `input` names the input
 * that set the URL (api-base-url, token-url), so the sentence says what to check.
 */
export class AppleConnectionError extends Error {
  override readonly name = 'AppleConnectionError';
  constructor(
    readonly method: string,
    readonly url: string,
    readonly causeCode: string,
    readonly input: string,
    options?: { cause?: unknown; message?: string },
  ) {
    super(options?.message ?? `Could not reach ${url} (${method}): ${causeCode}.`, options);
  }
}

/**
 * Work that would not end stopped at a limit: retries past their time, a page link already followed,
 * a pacing pause too long, a request about to leave the configured origin. The message is the sentence.
 */
export class LimitError extends Error {
  override readonly name = 'LimitError';
}

/** A request was about to carry the API token to another origin than the configured one. */
export class OriginError extends Error {
  override readonly name = 'OriginError';
}

/** Apple answered with success but with a body that is not what the API documents (not JSON, too deep, wrong shape). */
export class AppleResponseError extends Error {
  override readonly name = 'AppleResponseError';
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

/**
 * Apple's refusal as one sentence: what was asked, Apple's code, title and detail, the request id,
 * then what to do (`advice`, which differs per API: src/apple/errors.ts, src/business/errors.ts).
 */
function refusalSentence(err: AppleApiError, advice: string): string {
  const id = err.requestId ? ` (request id ${err.requestId})` : '';
  const detail = err.detail.trim().replace(/\.+$/, '');
  return `Apple refused ${err.method} ${err.path}: ${err.status} ${err.code} "${err.title}": ${detail}${id}.${advice ? ` ${advice}` : ''}`;
}

/** The one sentence an action prints when it fails. Never includes request bodies or credentials. */
export function describeError(err: unknown): string {
  if (err instanceof AppleApiError) return refusalSentence(err, err.advise(err));
  if (err instanceof AppleConnectionError) {
    return `${err.message} Check the network, ${err.input} and any HTTPS_PROXY/NO_PROXY settings, then run the job again.`;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}
