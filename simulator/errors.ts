// Apple's ErrorResponse bodies (docs/apple-facts.md §1.3). The HTTP status always equals errors[0].status.
import type { components } from '../src/generated/asc.js';
import { uuid } from './ids.js';

type AppleErrorItem = NonNullable<components['schemas']['ErrorResponse']['errors']>[number];
export type ErrorSource = { pointer: string } | { parameter: string };

export interface ErrorResponseBody {
  errors: AppleErrorItem[];
}

/** Thrown by handlers; the server turns it into Apple's error response. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly source?: ErrorSource,
    readonly meta?: Record<string, unknown>,
  ) {
    super(`${status} ${code}: ${detail}`);
    this.name = 'ApiError';
  }

  toBody(): ErrorResponseBody {
    const item: AppleErrorItem = {
      id: uuid(),
      status: String(this.status),
      code: this.code,
      title: this.title,
      detail: this.detail,
    };
    if (this.source) item.source = this.source;
    if (this.meta) item.meta = this.meta;
    return { errors: [item] };
  }
}

export const notAuthorized = (): ApiError =>
  new ApiError(
    401,
    'NOT_AUTHORIZED',
    'Authentication credentials are missing or invalid.',
    'Provide a properly configured and signed bearer token, and make sure that it has not expired. Learn more about Generating Tokens for API Requests https://developer.apple.com/go/?id=api-generating-tokens',
  );

export const rateLimitExceeded = (): ApiError =>
  new ApiError(
    429,
    'RATE_LIMIT_EXCEEDED',
    'The request rate limit has been reached.',
    "We've received too many requests for this API. Please wait and try again or slow down your request rate.",
  );

export const unexpectedError = (status = 500): ApiError =>
  new ApiError(
    status,
    'UNEXPECTED_ERROR',
    'An unexpected error occurred.',
    'An unexpected error occurred on the server side. If this issue continues, contact us at https://developer.apple.com/contact/.',
  );

export const forbidden = (detail: string): ApiError => new ApiError(403, 'FORBIDDEN_ERROR', 'This request is forbidden for security reasons', detail);

/** The key's role (or kind: individual keys) does not allow the request (AvdLee/appstoreconnect-swift-sdk#182). */
export const keyNotAllowed = (): ApiError => forbidden('The API key in use does not allow this request');

export const notFound = (type: string, id: string): ApiError =>
  new ApiError(404, 'NOT_FOUND', 'The specified resource does not exist', `There is no resource of type '${type}' with id '${id}'`);

export const pathNotFound = (): ApiError =>
  new ApiError(404, 'NOT_FOUND', 'The specified resource does not exist', 'The path provided does not match a defined resource type.');

export const methodNotAllowed = (): ApiError =>
  new ApiError(
    405,
    'METHOD_NOT_ALLOWED',
    'The request method is not valid for the resource path.',
    'The request method used for this request is not valid for the resource path. Please consult the documentation.',
  );

export const parameterIllegal = (name: string): ApiError =>
  new ApiError(
    400,
    'PARAMETER_ERROR.ILLEGAL',
    'A given parameter is not allowed for this request',
    `The parameter '${name}' can not be used with this request`,
    { parameter: name },
  );

export const parameterInvalid = (name: string, detail: string): ApiError =>
  new ApiError(400, 'PARAMETER_ERROR.INVALID', 'A parameter has an invalid value', detail, { parameter: name });

/** 409 ENTITY_ERROR with a detail observed from Apple (duplicate UDID, duplicate profile name, unknown App ID…). */
export const entityError = (detail: string, source?: ErrorSource): ApiError =>
  new ApiError(409, 'ENTITY_ERROR', 'There is a problem with the request entity', detail, source);

export const attributeInvalid = (attribute: string, value: unknown): ApiError =>
  new ApiError(
    409,
    'ENTITY_ERROR.ATTRIBUTE.INVALID',
    'An attribute in the provided entity has invalid value',
    `An invalid value '${String(value)}' was provided for the parameter '${attribute}'.`,
    { pointer: `/data/attributes/${attribute}` },
  );

export const attributeRequired = (attribute: string): ApiError =>
  new ApiError(
    409,
    'ENTITY_ERROR.ATTRIBUTE.REQUIRED',
    'The provided entity is missing a required attribute',
    `You must provide a value for the attribute '${attribute}' with this request`,
    { pointer: `/data/attributes/${attribute}` },
  );

export const relationshipRequired = (relationship: string): ApiError =>
  new ApiError(
    409,
    'ENTITY_ERROR.RELATIONSHIP.REQUIRED',
    'The provided entity is missing a required relationship',
    `You must provide a value for the relationship '${relationship}' with this request`,
    { pointer: `/data/relationships/${relationship}` },
  );

export const relationshipInvalid = (relationship: string, detail: string): ApiError =>
  new ApiError(409, 'ENTITY_ERROR.RELATIONSHIP.INVALID', 'The provided entity includes a relationship with an invalid value', detail, {
    pointer: `/data/relationships/${relationship}`,
  });

export const entityInvalid = (detail: string, pointer = '/data'): ApiError =>
  new ApiError(409, 'ENTITY_ERROR', 'There is a problem with the request entity', detail, { pointer });

export const entityUnprocessable = (detail: string): ApiError => new ApiError(422, 'ENTITY_UNPROCESSABLE', 'The request entity is not processable', detail);

/** Apple's error for a status injected by a fault: 429 RATE_LIMIT_EXCEEDED, 5xx UNEXPECTED_ERROR, and so on. */
export function errorForStatus(status: number): ApiError {
  if (status === 401) return notAuthorized();
  if (status === 429) return rateLimitExceeded();
  if (status >= 500) return unexpectedError(status);
  if (status === 403) return keyNotAllowed();
  if (status === 404) return pathNotFound();
  if (status === 405) return methodNotAllowed();
  if (status === 409) return entityError('There is a problem with the request entity');
  if (status === 422) return entityUnprocessable('The request entity could not be processed.');
  if (status === 400) return new ApiError(400, 'PARAMETER_ERROR', 'A parameter has an invalid value', 'The request could not be processed.');
  return new ApiError(status, 'UNEXPECTED_ERROR', 'An unexpected error occurred.', 'The request could not be processed.');
}
