/**
 * Reading an http response: the body (bounded, so a runaway response cannot exhaust memory), parsed as JSON when the
 * system says it is JSON, and the one-line summary for the transcript.
 */
import { ConnectorError } from '../errors.js';
import type { Redactor } from '../../transcript/redact.js';
import { excerpt, reason } from './failures.js';
import { isJsonType } from './request.js';

/** Largest response body read, in bytes. */
export const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
/** Most of an error body read, to quote from it. */
const MAX_ERROR_BYTES = 64 * 1024;

/** Reads the body as text up to `limit` bytes: past it, `truncate` keeps what was read, otherwise undefined. */
async function readText(response: Response, limit: number, truncate: boolean): Promise<string | undefined> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      if (!truncate) return undefined;
      chunks.push(value.subarray(0, value.byteLength - (size - limit)));
      break;
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/** The start of an error response's body, to quote. */
export async function errorText(response: Response): Promise<string> {
  try {
    return (await readText(response, MAX_ERROR_BYTES, true)) ?? '';
  } catch {
    return '';
  }
}

/** Discards a body not needed, so the connection can be reused. */
export async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => {});
}

/**
 * The body of a successful response: null for 204/205 and HEAD, parsed JSON when the content-type is JSON (an empty
 * JSON body is null), text otherwise. An unparseable JSON body or one past {@link MAX_RESPONSE_BYTES} is
 * CONNECTOR_RESPONSE_INVALID (not retried: the system answered, and would answer the same).
 */
export async function readBody(id: string, method: string, response: Response, redact: Redactor, sensitive: readonly string[]): Promise<unknown> {
  if (method === 'HEAD' || response.status === 204 || response.status === 205) {
    await discard(response);
    return null;
  }
  const text = await readText(response, MAX_RESPONSE_BYTES, false);
  if (text === undefined) throw new ConnectorError('CONNECTOR_RESPONSE_INVALID', `${id}: the response is larger than ${MAX_RESPONSE_BYTES} bytes`, { operation: id, status: response.status });
  const type = response.headers.get('content-type');
  if (!isJsonType(type)) return text;
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConnectorError('CONNECTOR_RESPONSE_INVALID', `${id}: the response says ${type} but is not JSON (${(error as Error).message}): ${excerpt(text, redact, sensitive)}`, { operation: id, status: response.status });
  }
}

/** Response headers by lower-case name, for the `$headers` binding of the response mapping. */
export function headerObject(headers: Headers): Record<string, string> {
  const result: Record<string, string> = {};
  headers.forEach((value, name) => {
    result[name.toLowerCase()] = value;
  });
  return result;
}

/** "200 OK, 3 records": the status, then what came back (records when the operation declares them, else list items). */
export function summarize(status: number, output: unknown, records: number, declaresRecords: boolean): string {
  const head = `${status} ${reason(status)}`;
  if (declaresRecords) return `${head}, ${records} record${records === 1 ? '' : 's'}`;
  if (Array.isArray(output)) return `${head}, ${output.length} item${output.length === 1 ? '' : 's'}`;
  return head;
}
