/**
 * API field errors name the full field path, what was expected and what was received; unknown fields list the names
 * accepted at their level; prototype keys are refused by name and path; goals with control characters get a 400.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeRequestIssue, findForbiddenKey } from '../../src/server/request-issues.js';
import { makeServer } from './helpers.js';

type Server = Awaited<ReturnType<typeof makeServer>>;
let server: Server;
beforeAll(async () => {
  server = await makeServer();
});
afterAll(async () => {
  await server.close();
});

async function post(payload: string): Promise<{ status: number; code: string; message: string }> {
  const response = await server.app.inject({ method: 'POST', url: '/api/runs', payload, headers: { 'content-type': 'application/json' } });
  const body = response.json() as { error: { code: string; message: string } };
  return { status: response.statusCode, code: body.error.code, message: body.error.message };
}

describe('POST /api/runs field errors', () => {
  it('names the full path of an unknown nested field and lists the names accepted at that level', async () => {
    const answer = await post('{"goal": "What is Baton?", "labels": {"deadline": 5}}');
    expect(answer.status).toBe(400);
    expect(answer.code).toBe('USAGE');
    expect(answer.message).toContain('unknown field "labels.deadline" in the request body');
    expect(answer.message).toContain('(accepted in labels: confidential, priority, budgetUsd, deadlineMs)');
    expect(answer.message).toContain('did you mean "labels.deadlineMs"?');
    const attachment = await post('{"goal": "x", "attachments": [{"name": "a.md", "mimeType": "text/markdown", "dataBase64": "AA==", "size": 1}]}');
    expect(attachment.message).toMatch(/unknown field "attachments\[0\]\.size" in the request body \(accepted in attachments\[0\]: name, mimeType, dataBase64\)/);
  });

  it('refuses __proto__, constructor and prototype keys by name and path, with 400 (not "not valid JSON")', async () => {
    const cases: Array<[string, RegExp]> = [
      ['{"goal": "x", "__proto__": {"admin": true}}', /the key "__proto__" is not allowed in the request body \(at __proto__\)/],
      ['{"goal": "x", "labels": {"__proto__": {"confidential": false}}}', /the key "__proto__" is not allowed .*\(at labels\.__proto__\)/],
      ['{"goal": "x", "constructor": {"prototype": {"polluted": 1}}}', /the key "constructor" is not allowed .*\(at constructor\)/],
      ['{"goal": "x", "attachments": [{"prototype": 1}]}', /the key "prototype" is not allowed .*\(at attachments\[0\]\.prototype\)/],
    ];
    for (const [payload, message] of cases) {
      const answer = await post(payload);
      expect(answer.status, payload).toBe(400);
      expect(answer.code, payload).toBe('USAGE');
      expect(answer.message, payload).toMatch(message);
      expect(answer.message, payload).not.toMatch(/not valid JSON/);
    }
    expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
  });

  it('describes wrong types, enum values, sizes and missing fields with expected and received', async () => {
    const cases: Array<[string, RegExp]> = [
      ['{"goal": 42}', /goal: expected string, received the number 42/],
      ['{"goal": "x", "labels": {"priority": "asap"}}', /labels\.priority: expected one of "urgent", "normal", "batch"; received the string "asap"/],
      ['{"goal": "x", "labels": {"confidential": "yes"}}', /labels\.confidential: expected boolean, received the string "yes"/],
      ['{"goal": "x", "labels": {"budgetUsd": -1}}', /labels\.budgetUsd: at least 0 required, received the number -1/],
      ['{"goal": "x", "labels": {"deadlineMs": 1.5}}', /labels\.deadlineMs: expected int/],
      [JSON.stringify({ goal: 'x', attachments: Array.from({ length: 17 }, () => ({ name: 'a.md', mimeType: 'text/markdown', dataBase64: 'AA==' })) }), /attachments: at most 16 items allowed, received 17 items/],
      ['{"goal": "x", "attachments": [{"name": "", "mimeType": "text/plain", "dataBase64": "AA=="}]}', /attachments\[0\]\.name: must not be empty/],
      ['{"goal": "x", "attachments": [{"name": "a.md", "mimeType": "text/markdown"}]}', /attachments\[0\]\.dataBase64 is required \(expected string\)/],
      ['"just a string"', /the request body must be a JSON object, received the string "just a string"/],
    ];
    for (const [payload, message] of cases) {
      const answer = await post(payload);
      expect(answer.status, payload).toBe(400);
      expect(answer.message, payload).toMatch(message);
    }
  });

  it('says where JSON syntax breaks, and that an empty JSON body is empty', async () => {
    expect((await post('{"goal": "What')).message).toMatch(/not valid JSON \(.+\)/);
    const empty = await post('');
    expect(empty.status).toBe(400);
    expect(empty.message).toMatch(/empty/);
  });

  it('refuses a goal with control characters or a bidi override with 400 naming U+XXXX and the position', async () => {
    const escape = await post(JSON.stringify({ goal: 'What is \u001b[31mBaton?' }));
    expect(escape).toMatchObject({ status: 400, code: 'GOAL_INVALID' });
    expect(escape.message).toMatch(/U\+001B \(ESC\) at position 9/);
    const nul = await post(JSON.stringify({ goal: 'a\u0000b' }));
    expect(nul.message).toMatch(/U\+0000 \(NUL\) at position 2/);
    const bidi = await post(JSON.stringify({ goal: 'file \u202etxt.exe' }));
    expect(bidi).toMatchObject({ status: 400, code: 'GOAL_INVALID' });
    expect(bidi.message).toMatch(/U\+202E .* at position 6/);
  });
});

describe('query strings', () => {
  it('refuses prototype keys and names unknown parameters with the accepted ones', async () => {
    const proto = await server.app.inject({ url: '/api/runs?__proto__=1' });
    expect(proto.statusCode).toBe(400);
    expect((proto.json() as { error: { message: string } }).error.message).toMatch(/the key "__proto__" is not allowed in the query string/);
    const unknown = await server.app.inject({ url: '/api/runs?stauts=approved' });
    expect((unknown.json() as { error: { message: string } }).error.message).toMatch(/unknown field "stauts" in the query string \(accepted: status, since, until, limit, offset\); did you mean "status"\?/);
  });
});

describe('describeRequestIssue', () => {
  it('covers every issue kind without falling back to a bare zod message', () => {
    const schema = z.object({ name: z.string().max(3), tags: z.array(z.string()).min(2), mode: z.enum(['a', 'b']), email: z.email(), step: z.number().multipleOf(5) }).strict();
    const parsed = schema.safeParse({ name: 'long', tags: ['x'], mode: 'c', email: 'nope', step: 7 }, { reportInput: true });
    expect(parsed.success).toBe(false);
    const messages = parsed.error!.issues.map((issue) => describeRequestIssue(issue, schema, 'request body'));
    expect(messages).toEqual([
      'name: at most 3 characters allowed, received 4 characters',
      'tags: at least 2 items required, received 1 item',
      'mode: expected one of "a", "b"; received the string "c"',
      'email: expected a valid email, received the string "nope"',
      'step: expected a multiple of 5, received the number 7',
    ]);
  });

  it('finds forbidden keys at any depth', () => {
    expect(findForbiddenKey(JSON.parse('{"a": [{"b": {"__proto__": 1}}]}'))).toEqual({ key: '__proto__', path: ['a', 0, 'b'] });
    expect(findForbiddenKey({ a: [1, { b: 'constructor' }] })).toBeUndefined();
  });
});
