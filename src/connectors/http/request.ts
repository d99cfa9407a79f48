/**
 * Builds an http operation's request from its input, with no I/O: what `--dry-run` prints, what an approval shows and
 * what the ledger records is exactly what {@link import('./send.js').send} sends, less the credentials.
 *
 * - Path: each `{name}` placeholder is filled, URL-encoded, from the object the `request.path` mapping gives, or else
 *   from the input. Encoding keeps a value inside its segment (a `/` or `?` cannot add segments or a query), and a
 *   `.`/`..` segment is refused, so a value can neither change the host nor climb above `baseUrl`.
 * - Query: the object the `request.query` mapping gives (null values dropped, arrays repeat the key). A GET or HEAD
 *   without that mapping sends the input's fields that no placeholder used as the query, so a simple read needs no
 *   mapping at all; other methods send no query unless mapped.
 * - Body: the `request.body` mapping's value, or else, for POST/PUT/PATCH/DELETE, the input's fields that no
 *   placeholder used, as JSON (a DELETE with nothing left sends no body). A mapping giving null sends no body.
 * - Headers: the file's `headers`, then the `request.headers` mapping's, names lower-cased. The credential header is
 *   never among them: `execute` adds it, so it is never shown, logged or stored. A value fetch could not send (a
 *   character above U+00FF, a line break or another control character) is refused here, as input, rather than failing
 *   at execute as if the system had been reached.
 */
import { ConnectorError } from '../errors.js';
import type { OperationKit } from '../kit.js';
import type { HttpConnectorConfig, HttpOperation } from '../schema.js';
import type { PreparedCall } from '../types.js';

/** The `request` of an http PreparedCall: JSON-safe, credentials left out. */
export interface HttpRequest {
  method: string;
  /** The full URL, query included. */
  url: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** A JSON value, sent as JSON (or as is, for a string under a non-JSON content-type). */
  body?: unknown;
}

const PLACEHOLDER = /\{([^{}]+)\}/g;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
/** A character fetch (undici) refuses in a header value: anything but tab, visible ASCII, space and Latin-1. */
const BAD_HEADER_CHAR = /[^\t\x20-\x7e\x80-\xff]/u;

/** The placeholder names of a path template, in order. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((match) => match[1] as string);
}

/** Whether a method reads only (no body, and by default no side effect). */
export function isRead(method: string): boolean {
  return method === 'GET' || method === 'HEAD';
}

function invalid(id: string, message: string): ConnectorError {
  return new ConnectorError('CONNECTOR_INPUT_INVALID', `${id}: ${message}`, { operation: id });
}

function asObject(id: string, field: string, value: unknown): Record<string, unknown> {
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(id, `the ${field} mapping must give an object of names and values, got ${Array.isArray(value) ? 'a list' : typeof value}`);
  return value as Record<string, unknown>;
}

function scalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

/** Fills the template's placeholders, refusing missing values and dot segments. */
export function fillPath(id: string, template: string, values: Record<string, unknown>): string {
  const filled = template.replace(PLACEHOLDER, (_match, name: string) => {
    const value = values[name];
    if (value === undefined || value === null || value === '') throw invalid(id, `the path ${template} needs a value for {${name}}; none was given`);
    if (!scalar(value)) throw invalid(id, `the path value {${name}} must be a string, number or boolean, got ${Array.isArray(value) ? 'a list' : typeof value}`);
    return encodeURIComponent(String(value));
  });
  const path = filled.split(/[?#]/, 1)[0] as string;
  for (const segment of path.split('/')) {
    const dots = segment.replace(/%2e/gi, '.');
    if (dots === '.' || dots === '..') throw invalid(id, `the path ${filled} has a "${segment}" segment; a path may not leave the connector's baseUrl`);
  }
  return filled;
}

/** Adds one query parameter (repeated for a list), refusing nested objects. */
function appendQuery(id: string, search: URLSearchParams, name: string, value: unknown): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) appendQuery(id, search, name, item);
    return;
  }
  if (!scalar(value)) throw invalid(id, `the query parameter "${name}" must be a string, number, boolean or a list of them, got an object`);
  search.append(name, String(value));
}

/** Joins `baseUrl` (its path prefix and query kept) and a filled path, and checks the result stays under it. */
export function buildUrl(id: string, baseUrl: string, path: string, query: Record<string, unknown>): URL {
  const base = new URL(baseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  const url = new URL(`${base.origin}${prefix}${path}`);
  for (const [name, value] of base.searchParams) url.searchParams.append(name, value);
  for (const [name, value] of Object.entries(query)) appendQuery(id, url.searchParams, name, value);
  if (url.origin !== base.origin || !(url.pathname === prefix || url.pathname.startsWith(`${prefix}/`))) {
    throw invalid(id, `the request URL ${url.href} is not under the connector's baseUrl ${baseUrl}`);
  }
  return url;
}

/** Checks that a URL (of a prepared call, perhaps read back from the ledger) is under `baseUrl` before credentials go to it. */
export function underBase(url: string, baseUrl: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const base = new URL(baseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  return parsed.origin === base.origin && (parsed.pathname === prefix || parsed.pathname.startsWith(`${prefix}/`));
}

/** Why fetch could not send `value` as a header, or undefined when it can. */
function headerValueProblem(value: string): string | undefined {
  const bad = BAD_HEADER_CHAR.exec(value)?.[0];
  if (bad === undefined) return undefined;
  const code = `U+${(bad.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  const shown = /[\p{Cc}\p{Cf}\p{Z}]/u.test(bad) ? code : `"${bad}" (${code})`;
  return `holds ${shown}, which an HTTP header cannot carry: header values are limited to Latin-1 text (up to U+00FF) without line breaks or control characters; encode the value in the mapping (for instance with $encodeUrlComponent)`;
}

function addHeaders(id: string, target: Record<string, string>, source: Record<string, unknown>, authHeader: string | undefined, mapped: boolean): void {
  for (const [rawName, value] of Object.entries(source)) {
    const name = rawName.toLowerCase();
    if (!HEADER_NAME.test(rawName)) throw invalid(id, `"${rawName}" is not an HTTP header name`);
    if (name === authHeader) {
      // A mapped header must not overwrite the credential (it would come from the input); the file's own is ignored.
      if (mapped) throw invalid(id, `the request.headers mapping may not set ${rawName}: the connector's auth sets it`);
      continue;
    }
    if (value === null || value === undefined) continue;
    if (!scalar(value)) throw invalid(id, `the header "${rawName}" must be a string, number or boolean`);
    const text = String(value);
    const problem = headerValueProblem(text);
    if (problem) throw invalid(id, `the header "${rawName}" ${problem}`);
    target[name] = text;
  }
}

/** Input fields no placeholder used: the implicit query of a read, the implicit body of a write. */
function rest(input: Record<string, unknown>, used: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([name]) => !used.includes(name)));
}

export interface RequestSpec {
  config: HttpConnectorConfig;
  operation: HttpOperation;
  kit: OperationKit;
  /** The credential header auth sets (lower case), kept out of the prepared headers. */
  authHeader: string | undefined;
}

/** Validates the input and maps it into the request (see the module comment). No I/O. */
export async function prepareRequest(spec: RequestSpec, rawInput: unknown): Promise<PreparedCall> {
  const { config, operation, kit, authHeader } = spec;
  const id = kit.id;
  const input = kit.validate(rawInput);
  const method = operation.method;
  const names = placeholders(operation.path);

  const pathValues = kit.has('request.path') ? asObject(id, 'request.path', await kit.map('request.path', input)) : input;
  const path = fillPath(id, operation.path, pathValues);

  let query: Record<string, unknown> = {};
  if (kit.has('request.query')) query = asObject(id, 'request.query', await kit.map('request.query', input));
  else if (isRead(method)) query = rest(input, names);
  const url = buildUrl(id, config.baseUrl, path, query);

  let body: unknown;
  if (kit.has('request.body')) body = await kit.map('request.body', input);
  else if (!isRead(method)) {
    const remaining = rest(input, names);
    body = method === 'DELETE' && Object.keys(remaining).length === 0 ? null : remaining;
  }
  if (body === undefined) body = null;

  const headers: Record<string, string> = { accept: 'application/json' };
  addHeaders(id, headers, config.headers, authHeader, false);
  if (kit.has('request.headers')) addHeaders(id, headers, asObject(id, 'request.headers', await kit.map('request.headers', input)), authHeader, true);
  if (body !== null && !headers['content-type']) headers['content-type'] = 'application/json';

  const request: HttpRequest = { method, url: url.href, headers, ...(body !== null ? { body } : {}) };
  return { operation: id, target: `${method} ${url.href}`, request: request as unknown as Record<string, unknown> };
}

/** Whether a content-type names JSON (`application/json`, `application/problem+json`...). */
export function isJsonType(contentType: string | null | undefined): boolean {
  return !!contentType && /^[^;]*[/+]json\s*(;|$)/i.test(contentType);
}

/** The bytes to send for a prepared body: JSON, or a string as is under a non-JSON content-type. */
export function encodeBody(request: HttpRequest): string | undefined {
  if (request.body === undefined || request.body === null) return undefined;
  const type = request.headers['content-type'];
  if (typeof request.body === 'string' && type && !isJsonType(type)) return request.body;
  if (type && /^application\/x-www-form-urlencoded/i.test(type) && typeof request.body === 'object' && !Array.isArray(request.body)) {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(request.body as Record<string, unknown>)) if (value !== null && value !== undefined) form.append(name, typeof value === 'string' ? value : JSON.stringify(value));
    return form.toString();
  }
  return JSON.stringify(request.body);
}

/** Reads back the `request` of a PreparedCall (it may come from the ledger or an approval), checking its shape. */
export function readRequest(id: string, call: PreparedCall): HttpRequest {
  const request = call.request as Partial<HttpRequest>;
  const headers = request.headers;
  if (call.operation !== id) throw invalid(id, `the prepared call is for ${call.operation}, not ${id}`);
  if (typeof request.method !== 'string' || typeof request.url !== 'string' || typeof headers !== 'object' || headers === null || Array.isArray(headers) || Object.values(headers).some((value) => typeof value !== 'string')) {
    throw invalid(id, 'the prepared call is not an http request (method, url and headers expected)');
  }
  const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value as string]));
  // A recorded call is checked as prepare checks a new one: fetch would refuse these before sending anything.
  for (const [name, value] of Object.entries(lower)) {
    if (!HEADER_NAME.test(name)) throw invalid(id, `"${name}" is not an HTTP header name`);
    const problem = headerValueProblem(value);
    if (problem) throw invalid(id, `the header "${name}" ${problem}`);
  }
  return { method: request.method.toUpperCase(), url: request.url, headers: lower, ...(request.body !== undefined && request.body !== null ? { body: request.body } : {}) };
}
