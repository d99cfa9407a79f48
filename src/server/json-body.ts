/**
 * The API's JSON body parser. It replaces Fastify's default one so that a body is refused with a message a client can
 * act on: where the syntax breaks, or which prototype key (`__proto__`, `constructor`, `prototype`) stands where,
 * instead of one "not valid JSON" for both. `JSON.parse` itself never touches a prototype (it defines `__proto__` as
 * a plain own key); the key is refused so that no later merge of the body can.
 */
import type { FastifyInstance } from 'fastify';
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
  return value;
}

/** Makes {@link parseJsonBody} the app's parser for `application/json` bodies (any charset parameter). */
export function registerJsonBodyParser(app: FastifyInstance): void {
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(typeof body === 'string' ? body : body.toString('utf8')));
    } catch (error) {
      done(error instanceof Error ? error : new Error(String(error)), undefined);
    }
  });
}
