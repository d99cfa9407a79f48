/**
 * The API's JSON body parser. It replaces Fastify's default one so that a body is refused with a message a client can
 * act on: where the syntax breaks, or which prototype key (`__proto__`, `constructor`, `prototype`) stands where,
 * instead of one "not valid JSON" for both. `JSON.parse` itself never touches a prototype (it defines `__proto__` as
 * a plain own key); the key is refused so that no later merge of the body can.
 *
 * The body is decoded as strict UTF-8 (a bad byte is refused, not turned into U+FFFD), and a key given twice in one
 * object is refused with its path: `JSON.parse` keeps the last one silently, so `{"goal":"x","goal":"y"}` would run
 * a goal other than the one a reader of the request sees first.
 */
import type { FastifyInstance } from 'fastify';
import { formatPath } from '../config/yaml.js';
import { ApiError } from './errors.js';
import { findForbiddenKey, forbiddenKeyMessage } from './request-issues.js';

const EXAMPLE_HINT = 'send a JSON object such as {"goal": "What is Baton?"}';

/** Parses a request body as JSON, or throws a 400 that says what is wrong and where. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw new ApiError(400, 'USAGE', 'the request body is empty but its Content-Type says JSON', { hint: EXAMPLE_HINT });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ApiError(400, 'USAGE', `the request body is not valid JSON (${reason})`, { hint: EXAMPLE_HINT });
  }
  const forbidden = findForbiddenKey(value);
  if (forbidden) throw new ApiError(400, 'USAGE', `invalid request body: ${forbiddenKeyMessage(forbidden, 'request body')}`);
  const duplicate = findDuplicateKey(text);
  if (duplicate) {
    const key = duplicate[duplicate.length - 1];
    throw new ApiError(400, 'USAGE', `invalid request body: the key ${JSON.stringify(key)} is given twice in one object (at ${formatPath(duplicate)}); each key may appear once, since only the last would count`);
  }
  return value;
}

interface ObjectFrame {
  kind: 'object';
  keys: Set<string>;
  key: string | undefined;
  expectKey: boolean;
}
interface ArrayFrame {
  kind: 'array';
  index: number;
}

/**
 * The path of the first key that appears twice in one object of `text`, which must already be valid JSON. Keys are
 * compared after unescaping (`"go\u0061l"` is `"goal"`). Iterative, so no depth of nesting can overflow the stack.
 */
export function findDuplicateKey(text: string): PropertyKey[] | undefined {
  const stack: Array<ObjectFrame | ArrayFrame> = [];
  const pathOf = (): PropertyKey[] => stack.flatMap((frame): PropertyKey[] => (frame.kind === 'array' ? [frame.index] : frame.key === undefined ? [] : [frame.key]));
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index];
    const top = stack[stack.length - 1];
    if (character === '"') {
      // indexOf skips a string in one step (a base64 attachment is megabytes long); a quote after an odd run of
      // backslashes is escaped and does not end it.
      let end = text.indexOf('"', index + 1);
      while (end !== -1 && escapedAt(text, end)) end = text.indexOf('"', end + 1);
      if (end === -1) return undefined;
      if (top?.kind === 'object' && top.expectKey) {
        const key = JSON.parse(text.slice(index, end + 1)) as string;
        if (top.keys.has(key)) {
          top.key = key;
          return pathOf();
        }
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      index = end;
    } else if (character === '{') {
      stack.push({ kind: 'object', keys: new Set(), key: undefined, expectKey: true });
    } else if (character === '[') {
      stack.push({ kind: 'array', index: 0 });
    } else if (character === '}' || character === ']') {
      stack.pop();
    } else if (character === ',' && top) {
      if (top.kind === 'object') top.expectKey = true;
      else top.index += 1;
    }
  }
  return undefined;
}

function escapedAt(text: string, position: number): boolean {
  let backslashes = 0;
  while (text[position - 1 - backslashes] === '\\') backslashes += 1;
  return backslashes % 2 === 1;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The body as text: strict UTF-8 (a BOM is dropped), or a 400 / 415 that says which encoding is wrong. */
export function decodeBody(bytes: Buffer, contentType: string | undefined): string {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', `the body is declared as charset=${charset}; the API accepts JSON in UTF-8 only`, { hint: 'send Content-Type: application/json (or application/json; charset=utf-8)' });
  }
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    throw new ApiError(400, 'USAGE', 'the body is not valid UTF-8', { hint: 'encode the JSON body as UTF-8; characters outside ASCII may also be sent as \\u escapes' });
  }
}

/**
 * Makes {@link parseJsonBody} the app's only body parser, for `application/json` in UTF-8. Fastify's default text/plain
 * parser is removed, so a JSON body sent as text/plain is answered 415 like any other type, not parsed as a string.
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    try {
      done(null, parseJsonBody(decodeBody(typeof body === 'string' ? Buffer.from(body) : body, request.headers['content-type'])));
    } catch (error) {
      done(error instanceof Error ? error : new Error(String(error)), undefined);
    }
  });
}
