/**
 * How the API reports errors: always `{ error: { code, message, hint? } }` with the HTTP status that fits. Baton's own
 * errors keep their stable codes; problems that only exist at the HTTP layer (a missing token, an unknown route, a
 * body too large) get codes of their own, listed in {@link ApiErrorCode}.
 */
import { BatonError, httpStatusFor, type BatonErrorCode } from '../errors.js';

/** Codes the API can answer with: Baton's codes plus the HTTP-layer ones. */
export type ApiErrorCode = BatonErrorCode | 'UNAUTHORIZED' | 'NOT_FOUND' | 'PAYLOAD_TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE' | 'CONFLICT' | 'UNAVAILABLE' | 'HOST_NOT_ALLOWED';

/** The body of every error response. */
export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string; hint?: string };
}

/**
 * An error that only the HTTP layer raises. It extends {@link BatonError} with an existing code (so the rest of Baton
 * treats it like any other usage problem) and carries the status and API code to answer with.
 */
export class ApiError extends BatonError {
  readonly code = 'USAGE' as const;
  readonly status: number;
  readonly apiCode: ApiErrorCode;

  constructor(status: number, apiCode: ApiErrorCode, message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, options);
    this.status = status;
    this.apiCode = apiCode;
  }
}

/** The server cannot start as configured (for example, exposed beyond loopback without API tokens). */
export class ServerConfigError extends BatonError {
  readonly code = 'CONFIG_INVALID' as const;
}

/** Fastify's own errors (body parsing, limits) carry a status and an `FST_...` code. */
interface FrameworkError {
  statusCode?: number;
  code?: string;
  message: string;
}

function isFrameworkError(error: unknown): error is FrameworkError {
  return typeof error === 'object' && error !== null && 'message' in error && typeof (error as FrameworkError).statusCode === 'number';
}

/** Maps anything thrown while handling a request to a status and a body a person can act on. */
export function toErrorResponse(error: unknown): { status: number; body: ApiErrorBody } {
  if (error instanceof ApiError) {
    return { status: error.status, body: { error: withHint(error.apiCode, error.message, error.hint) } };
  }
  if (error instanceof BatonError) {
    return { status: httpStatusFor(error), body: { error: withHint(error.code, error.message, error.hint) } };
  }
  if (isFrameworkError(error) && error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return frameworkResponse(error, error.statusCode);
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal server error; the details are in the server log' } } };
}

function withHint(code: ApiErrorCode, message: string, hint: string | undefined): ApiErrorBody['error'] {
  return hint === undefined ? { code, message } : { code, message, hint };
}

function frameworkResponse(error: FrameworkError, status: number): { status: number; body: ApiErrorBody } {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return {
        status: 400,
        body: { error: { code: 'USAGE', message: `the request body is not valid JSON (${error.message})`, hint: 'send a JSON object such as {"goal": "What is Baton?"}' } },
      };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE', message: 'the request body is too large', hint: 'goals are limited to 8000 characters and each attachment to 25 MiB' } } };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send the body as JSON with the header Content-Type: application/json' } } };
    default:
      // Other framework errors are still the client's doing (a 4xx); a JSON SyntaxError arrives here too.
      if (error.message.includes('JSON')) {
        return { status: 400, body: { error: { code: 'USAGE', message: `the request body is not valid JSON (${error.message})` } } };
      }
      return { status, body: { error: { code: 'USAGE', message: error.message } } };
  }
}

/** A 404 for an id that names no run, queued or recorded. */
export function notFound(message: string, hint?: string): ApiError {
  return new ApiError(404, 'NOT_FOUND', message, hint === undefined ? undefined : { hint });
}
