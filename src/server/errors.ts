/**
 * How the API reports errors: always `{ error: { code, message, hint? } }` with the HTTP status that fits. Baton's own
 * errors keep their stable codes; problems that only exist at the HTTP layer (a missing token, an unknown route, a
 * body too large) get codes of their own, listed in {@link ApiErrorCode}.
 */
import { BatonError, httpStatusFor, type BatonErrorCode } from '../errors.js';

/** Codes the API can answer with: Baton's codes plus the HTTP-layer ones. */
export type ApiErrorCode =
  | BatonErrorCode
  | 'UNAUTHORIZED'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'NOT_IMPLEMENTED'
  | 'PAYLOAD_TOO_LARGE'
  | 'HEADERS_TOO_LARGE'
  | 'REQUEST_TIMEOUT'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'CONFLICT'
  | 'DECISION_STALE'
  | 'UNAVAILABLE'
  | 'HOST_NOT_ALLOWED';

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

/** What the request said about itself, for messages about it (the media type it was sent as). */
export interface RequestFacts {
  contentType?: string | undefined;
}

/** Maps anything thrown while handling a request to a status and a body a person can act on. */
export function toErrorResponse(error: unknown, facts: RequestFacts = {}): { status: number; body: ApiErrorBody } {
  if (error instanceof ApiError) {
    return { status: error.status, body: { error: withHint(error.apiCode, error.message, error.hint) } };
  }
  if (error instanceof BatonError) {
    return { status: httpStatusFor(error), body: { error: withHint(error.code, error.message, error.hint) } };
  }
  if (isFrameworkError(error) && error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return frameworkResponse(error, error.statusCode, facts);
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal server error; the details are in the server log' } } };
}

function withHint(code: ApiErrorCode, message: string, hint: string | undefined): ApiErrorBody['error'] {
  return hint === undefined ? { code, message } : { code, message, hint };
}

function frameworkResponse(error: FrameworkError, status: number, facts: RequestFacts): { status: number; body: ApiErrorBody } {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return {
        status: 400,
        body: { error: { code: 'USAGE', message: `the request body is not valid JSON (${error.message})`, hint: 'send a JSON object such as {"goal": "What is Baton?"}' } },
      };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE', message: 'the request body is too large', hint: 'goals are limited to 8000 characters and each attachment to 25 MiB' } } };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      const sent = facts.contentType?.split(';')[0]?.trim();
      const received = sent ? `the body was sent as ${JSON.stringify(sent.slice(0, 100))}` : 'the body was sent without a Content-Type';
      return { status: 415, body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: `${received}; send it as JSON with the header Content-Type: application/json` } } };
    }
    case 'FST_ERR_BAD_URL':
      return {
        status: 400,
        body: { error: { code: 'USAGE', message: 'the URL path is not valid: each % must be followed by two hex digits, and the escaped bytes must be UTF-8', hint: 'escape a literal % as %25' } },
      };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return { status: 400, body: { error: { code: 'USAGE', message: `a segment of the URL path is longer than ${MAX_PATH_PARAMETER_LENGTH} characters; run ids are at most ${MAX_PATH_PARAMETER_LENGTH}` } } };
    default:
      // Other framework errors are still the client's doing (a 4xx); a JSON SyntaxError arrives here too.
      if (error.message.includes('JSON')) {
        return { status: 400, body: { error: { code: 'USAGE', message: `the request body is not valid JSON (${error.message})` } } };
      }
      return { status, body: { error: { code: 'USAGE', message: error.message } } };
  }
}

/** The longest path segment the router matches as a parameter (a run id); the schema's limit is the same. */
export const MAX_PATH_PARAMETER_LENGTH = 200;

/** A 405 for a path that exists with other methods; `allowed` goes into the `Allow` header too. */
export function methodNotAllowed(method: string, path: string, allowed: readonly string[]): { status: number; body: ApiErrorBody } {
  return {
    status: 405,
    body: { error: { code: 'METHOD_NOT_ALLOWED', message: `${method} is not accepted on ${path}; it accepts ${allowed.join(', ')}`, hint: 'the API is described at GET /api/openapi.json' } },
  };
}

/** Why Node's HTTP parser refused a request, in words (llhttp `HPE_...` codes), for the few a client can meet. */
const PARSE_PROBLEMS: Readonly<Record<string, string>> = {
  HPE_INVALID_URL: 'the request target is not a valid URL path',
  HPE_INVALID_VERSION: 'the request line does not end in HTTP/1.0 or HTTP/1.1',
  HPE_INVALID_CONSTANT: 'the request line is garbled',
  HPE_INVALID_HEADER_TOKEN: 'a header has a character HTTP does not allow',
  HPE_INVALID_CONTENT_LENGTH: 'the Content-Length header is not a number',
  HPE_UNEXPECTED_CONTENT_LENGTH: 'the request has both Content-Length and Transfer-Encoding',
  HPE_INVALID_TRANSFER_ENCODING: 'the Transfer-Encoding header is not valid',
  HPE_INVALID_CHUNK_SIZE: 'a chunk size in the body is not valid',
  HPE_CR_EXPECTED: 'a line does not end in CR LF',
  HPE_LF_EXPECTED: 'a line does not end in CR LF',
};

/**
 * The answer to a request Node's HTTP parser refused before Fastify saw it (the server's `clientError`): an unknown
 * method, a garbled request line, headers or URL too large, a request that never finished arriving.
 */
export function clientErrorResponse(error: { code?: string | undefined }, maxHeaderBytes: number): { status: number; body: ApiErrorBody } {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, body: { error: { code: 'REQUEST_TIMEOUT', message: 'the request did not arrive in time' } } };
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        body: { error: { code: 'HEADERS_TOO_LARGE', message: `the request line and headers are over ${maxHeaderBytes} bytes`, hint: 'a URL with thousands of query parameters is the usual cause; the API needs at most five' } },
      };
    case 'HPE_INVALID_METHOD':
      return { status: 501, body: { error: { code: 'NOT_IMPLEMENTED', message: 'the request method is not one HTTP defines; the API uses GET and POST', hint: 'the API is described at GET /api/openapi.json' } } };
    default: {
      const problem = (error.code !== undefined ? PARSE_PROBLEMS[error.code] : undefined) ?? 'it could not be parsed';
      return { status: 400, body: { error: { code: 'USAGE', message: `the request is not valid HTTP/1.1: ${problem}${error.code ? ` (${error.code})` : ''}` } } };
    }
  }
}

/** A 404 for an id that names no run, queued or recorded. */
export function notFound(message: string, hint?: string): ApiError {
  return new ApiError(404, 'NOT_FOUND', message, hint === undefined ? undefined : { hint });
}
