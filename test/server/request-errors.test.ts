/**
 * API field errors name the full field path, what was expected and what was received; unknown fields list the names
 * accepted at their level; prototype keys are refused by name and path; goals with control characters get a 400.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { findDuplicateKey } from '../../src/server/json-body.js';
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

async function status(payload: string): Promise<number> {
  return (await server.app.inject({ method: 'POST', url: '/api/runs', payload, headers: { 'content-type': 'application/json' } })).statusCode;
}

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
      ['{"goal": "x", "labels": {"budgetUsd": -1}}', /labels\.budgetUsd: more than 0 required, received the number -1/],
      ['{"goal": "x", "labels": {"deadlineMs": 1.5}}', /labels\.deadlineMs: expected an integer, received the number 1\.5/],
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

describe('POST /api/runs body encoding, keys and labels', () => {
  it('refuses a key given twice in one object, naming its path (JSON.parse would keep the last silently)', async () => {
    const top = await post('{"goal":"x","goal":"What is Baton?"}');
    expect(top).toMatchObject({ status: 400, code: 'USAGE' });
    expect(top.message).toMatch(/the key "goal" is given twice in one object \(at goal\)/);
    const nested = await post('{"goal":"x","labels":{"priority":"batch","confidential":true,"priority":"urgent"}}');
    expect(nested.message).toMatch(/the key "priority" is given twice .*\(at labels\.priority\)/);
    const escaped = await post('{"goal":"x","attachments":[{"name":"a","name":"b"}],"go\\u0061l":"y"}');
    expect(escaped.message).toMatch(/the key "name" is given twice .*\(at attachments\[0\]\.name\)/);
    // The same key in two different objects, and a key-like string inside a value, are fine.
    const fine = await status('{"goal":"What is \\"goal\\": ,{}[]?","attachments":[{"name":"a.md","mimeType":"text/markdown","dataBase64":"AA=="},{"name":"b.md","mimeType":"text/markdown","dataBase64":"AA=="}]}');
    expect(fine).toBe(202);
  });

  it('refuses a goal with a lone surrogate, naming its position', async () => {
    const answer = await post('{"goal":"What is \\ud800 Baton?"}');
    expect(answer).toMatchObject({ status: 400, code: 'GOAL_INVALID' });
    expect(answer.message).toMatch(/not well-formed Unicode: U\+D800 \(unpaired surrogate\) at position 9/);
  });

  it('refuses bytes that are not UTF-8 instead of turning them into U+FFFD, and a charset other than UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from('{"goal":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
    const invalid = await server.app.inject({ method: 'POST', url: '/api/runs', payload: bytes, headers: { 'content-type': 'application/json' } });
    expect(invalid.statusCode).toBe(400);
    expect((invalid.json() as { error: { message: string } }).error.message).toBe('the body is not valid UTF-8');
    const latin1 = await server.app.inject({ method: 'POST', url: '/api/runs', payload: bytes, headers: { 'content-type': 'application/json; charset=iso-8859-1' } });
    expect(latin1.statusCode).toBe(415);
    const withBom = await server.app.inject({ method: 'POST', url: '/api/runs', payload: Buffer.from('\ufeff{"goal":"What is Baton?"}'), headers: { 'content-type': 'application/json; charset=UTF-8' } });
    expect(withBom.statusCode).toBe(202);
  });

  it('refuses a JSON body sent as text/plain (or any type but JSON) with 415 naming the type expected', async () => {
    for (const type of ['text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded', 'application/octet-stream']) {
      const response = await server.app.inject({ method: 'POST', url: '/api/runs', payload: '{"goal":"What is Baton?"}', headers: { 'content-type': type } });
      expect(response.statusCode, type).toBe(415);
      const error = (response.json() as { error: { code: string; message: string } }).error;
      expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(error.message).toContain(`sent as "${type.split(';')[0]}"`);
      expect(error.message).toContain('Content-Type: application/json');
    }
  });

  it('refuses a deadline that is zero or past and a budget that is zero or not finite', async () => {
    const zero = await post('{"goal":"x","labels":{"deadlineMs":0}}');
    expect(zero.message).toMatch(/labels\.deadlineMs: more than 0 required, received the number 0/);
    const past = await post(JSON.stringify({ goal: 'x', labels: { deadlineMs: Date.now() - 1000 } }));
    expect(past).toMatchObject({ status: 400, code: 'USAGE' });
    expect(past.message).toMatch(/labels\.deadlineMs: .* is already past/);
    const budget = await post('{"goal":"x","labels":{"budgetUsd":0}}');
    expect(budget.message).toMatch(/labels\.budgetUsd: more than 0 required, received the number 0/);
    const huge = await post('{"goal":"x","labels":{"budgetUsd":1e400}}');
    expect(huge.status).toBe(400);
    expect(huge.message).toMatch(/labels\.budgetUsd: not a finite number/);
    expect(huge.message).not.toMatch(/Infinity/);
    const ahead = await status(JSON.stringify({ goal: 'What is Baton?', labels: { deadlineMs: Date.now() + 60_000, budgetUsd: 0.5 } }));
    expect(ahead).toBe(202);
  });
});

describe('attachment names', () => {
  const attach = (...names: string[]): string =>
    JSON.stringify({ goal: 'What is Baton?', attachments: names.map((name) => ({ name, mimeType: 'text/markdown', dataBase64: 'AA==' })) });

  it('refuses bidi, format and invisible characters and line separators, shown escaped in the message', async () => {
    const cases: Array<[string, RegExp]> = [
      ['x\u202egnp.md', /U\+202E \(RIGHT-TO-LEFT OVERRIDE\) at position 2/],
      ['a\u2066b.md', /U\+2066/],
      ['zero\u200bwidth.md', /U\+200B \(ZERO WIDTH SPACE\)/],
      ['bom\ufeff.md', /U\+FEFF/],
      ['soft\u00adhyphen.md', /U\+00AD/],
      ['line\u2028break.md', /U\+2028 \(LINE SEPARATOR\)/],
      ['para\u2029break.md', /U\+2029 \(PARAGRAPH SEPARATOR\)/],
      ['esc\u001b.md', /U\+001B \(ESC\)/],
      ['half\ud800.md', /U\+D800 \(unpaired surrogate\)/],
    ];
    for (const [name, message] of cases) {
      const answer = await post(attach(name));
      expect(answer.status, JSON.stringify(name)).toBe(400);
      expect(answer.message, JSON.stringify(name)).toMatch(message);
      expect(answer.message).toMatch(/^attachments\[0\] \(".*\\u[0-9a-f]{4}.*"\)/);
      expect(answer.message).not.toMatch(/[\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff\u00ad]/);
    }
  });

  it('refuses names of only dots or spaces, names padded with spaces, slashes and markup', async () => {
    for (const name of ['.', '..', '...', ' ', ' . ', 'notes.md ', ' notes.md', 'a/b.md', 'a\\b.md', '<b>.md']) {
      const answer = await post(attach(name));
      expect(answer.status, JSON.stringify(name)).toBe(400);
      expect(answer.message, JSON.stringify(name)).toMatch(/^attachments\[0\]/);
    }
  });

  it('refuses two attachments with the same name (also when they differ only in Unicode normalisation)', async () => {
    const same = await post(attach('a.txt', 'b.md', 'a.txt'));
    expect(same.status).toBe(400);
    expect(same.message).toMatch(/attachments\[2\] \("a\.txt"\): attachments\[0\] has the same name/);
    const normalised = await post(attach('caf\u00e9.md', 'cafe\u0301.md'));
    expect(normalised.message).toMatch(/attachments\[1\] .*attachments\[0\] has the same name/);
  });

  it('accepts ordinary names, right-to-left and emoji included', async () => {
    // Persian needs the zero-width non-joiner, emoji sequences the joiner, right-to-left names the marks.
    const names = ['notes.md', 'מסמך.md', 'report 2025 😀.md', '.hidden.md', 'گزارش\u200cها.md', '👩\u200d💻 notes.md', 'دفتر\u200f.md'];
    const answer = await server.app.inject({ method: 'POST', url: '/api/runs', payload: attach(...names), headers: { 'content-type': 'application/json' } });
    expect(answer.statusCode, answer.body).toBe(202);
  });
});

describe('query strings', () => {
  it('refuses until before since, a parameter given twice, and an empty parameter', async () => {
    const message = async (url: string): Promise<string> => {
      const response = await server.app.inject({ url });
      expect(response.statusCode, url).toBe(400);
      return (response.json() as { error: { message: string } }).error.message;
    };
    expect(await message('/api/runs?since=2025-01-01&until=2020-01-01')).toMatch(/until: must not be before since/);
    expect(await message('/api/stats?since=2025-01-01&until=2020-01-01')).toMatch(/until: must not be before since/);
    expect(await message('/api/runs?limit=1&limit=2')).toMatch(/the parameter "limit" is given 2 times; give it once/);
    expect(await message('/api/runs?limit=')).toMatch(/the parameter "limit" is empty/);
    expect(await message('/api/runs?limit=')).not.toMatch(/number 0/);
    expect(await message('/api/runs/x/events?after=')).toMatch(/the parameter "after" is empty/);
    expect((await server.app.inject({ url: '/api/runs?since=2020-01-01&until=2020-01-01' })).statusCode).toBe(200);
  });

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

describe('findDuplicateKey', () => {
  it('follows nesting and escapes: only a key repeated in the same object counts', () => {
    expect(findDuplicateKey('[{"a":1},{"a":2,"b":[1,{"c":1,"c":2}]}]')).toEqual([1, 'b', 1, 'c']);
    expect(findDuplicateKey('{"a":"ends in a backslash \\\\","a":1}')).toEqual(['a']);
    expect(findDuplicateKey('{"a":"has a \\" quote, \\"a\\": 1","b":{"a":1}}')).toBeUndefined();
    expect(findDuplicateKey('{"a":{"x":1},"b":{"x":1},"c":[{"x":1},{"x":1}]}')).toBeUndefined();
  });
});
