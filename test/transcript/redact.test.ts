import { describe, expect, it } from 'vitest';
import { createRedactor, redactDeep } from '../../src/transcript/redact.js';
import { redactLogLine } from '../../src/logging.js';

const key = `sk-proj-${'Zq81Lm2Xv93Kw7Ty'.repeat(3)}`;

describe('createRedactor', () => {
  it('remembers a secret it removed and removes its transformed forms too', () => {
    const redact = createRedactor();
    expect(redact(`our key is ${key}`)).toBe('our key is [REDACTED:openai-api-key]');
    // Lower-cased and stripped of punctuation, as a keyword step would write it: no detector matches this shape.
    const laundered = key.toLowerCase().replace(/-/g, ' ');
    expect(redact(`our key is ${laundered} ok`)).toBe('our key is [REDACTED:openai-api-key] ok');
    expect(redact(`KEY ${key.toUpperCase().replace(/-/g, '_')}`)).not.toContain(key.slice(8).toUpperCase());
  });

  it('removes configured secret values wherever they appear', () => {
    const redact = createRedactor(['my-endpoint-key-123']);
    expect(redact('Bearer my-endpoint-key-123')).toBe('Bearer [REDACTED:secret]');
  });

  it('decodes percent-encoded query values before looking for secrets', () => {
    const redact = createRedactor();
    expect(redact('/api/runs?q=password%3Dhunter22&limit=5')).toBe('/api/runs?q=password%3D[REDACTED:secret-assignment]&limit=5');
    expect(redact('/search?q=lighthouse%20rocks')).toBe('/search?q=lighthouse%20rocks');
  });
});

describe('redactDeep', () => {
  it('redacts every string leaf and key, and the result always serialises to valid JSON', () => {
    const redact = createRedactor();
    const shapes = ['password=hunter22', 'pwd=hunter22"x', 'secret="a\\"b\\"c123"', 'api_key: "9f8e7d6c5b4a"', 'password: \\"quoted\\"', `x ${key}\\`];
    for (const shape of shapes) {
      const record = { goal: `Goal with ${shape}`, nested: [{ text: shape, [shape]: 1 }] };
      const serialised = JSON.stringify(redactDeep(record, redact));
      expect(() => JSON.parse(serialised), shape).not.toThrow();
      expect(serialised).not.toContain('hunter22');
      expect(serialised).not.toContain(key);
    }
  });

  it('returns the same object when nothing needed redaction', () => {
    const record = { a: 'plain', b: [1, 'two'] };
    expect(redactDeep(record, createRedactor())).toBe(record);
  });
});

describe('redactLogLine', () => {
  it('redacts a serialised log record by value and keeps it valid JSON', () => {
    const line = `${JSON.stringify({ req: { url: '/api/runs?x=password=hunter22"' }, msg: 'a "quoted" pwd=hunter22' })}\n`;
    const redacted = redactLogLine(line, createRedactor());
    expect(redacted.endsWith('\n')).toBe(true);
    expect(JSON.parse(redacted)).toEqual({ req: { url: '/api/runs?x=password=[REDACTED:secret-assignment]"' }, msg: 'a "quoted" pwd=[REDACTED:secret-assignment]' });
  });
});

describe('percent-encoded secrets', () => {
  it.each([
    ['in a path', '/x/password%3DPathEncPassw0rd88', 'PathEncPassw0rd88'],
    ['an encoded key id', '/x/AKIA%49OSFODNN7EXAMPLF', 'OSFODNN7EXAMPLF'],
    ['encoded twice', '/api/runs?x=password%253DDblEncPassw0rd99', 'DblEncPassw0rd99'],
    ['an encoded parameter name', '/cb?api%5Fkey=9f8e7d6c5b4a3210', '9f8e7d6c5b4a3210'],
    ['in a form body', 'user=bob&pass%77ord=Form5ecret', 'Form5ecret'],
  ])('removes a secret %s', (_label, text, secret) => {
    const redacted = createRedactor()(text);
    expect(redacted).not.toContain(secret);
    expect(redacted).toContain('[REDACTED:');
  });

  it('leaves ordinary encoded text alone, malformed escapes included', () => {
    const redact = createRedactor();
    for (const text of ['/search?q=lighthouse%20rocks&page=2', '100%25 sure', 'a %zz b %', '/files/r%C3%A9sum%C3%A9.pdf']) expect(redact(text)).toBe(text);
  });
});

describe('what a redactor remembers', () => {
  it('does not remember words, so a word used as a password is not redacted from later texts', () => {
    const redact = createRedactor();
    expect(redact('note: password=orchestration and secret=deterministic')).toContain('[REDACTED:');
    expect(redact('Baton is a runtime for AI orchestration; the offline engine is deterministic.')).toBe('Baton is a runtime for AI orchestration; the offline engine is deterministic.');
    expect(redact('Question to answer: what?')).toBe('Question to answer: what?');
  });

  it('never reads a secret across a line break', () => {
    const redact = createRedactor();
    expect(redact('Overall goal: password=\n\nQuestion to answer: what is it?')).toBe('Overall goal: password=\n\nQuestion to answer: what is it?');
    expect(redactDeep({ steps: [{ question: 'x' }] }, redact)).toEqual({ steps: [{ question: 'x' }] });
  });

  it('keeps catching transformed forms of recent secrets after many others, dropping the oldest first', () => {
    const redact = createRedactor();
    for (let index = 0; index < 1500; index += 1) redact(`api_key=flood${index}Zz9${index}xx`);
    const recent = `sk-proj-Fin12${'Ab34Cd56Ef78'.repeat(3)}`;
    expect(redact(`key ${recent}`)).toContain('[REDACTED:openai-api-key]');
    expect(redact(`key ${recent.toLowerCase().replace(/-/g, ' ')} end`)).toBe('key [REDACTED:openai-api-key] end');
  });

  it('redacts a value that appears twice in one record, not only the first time', () => {
    const shared = { message: 'password=hunter22xyz' };
    const redacted = redactDeep({ a: shared, b: shared, list: [shared] }, createRedactor());
    expect(JSON.stringify(redacted)).not.toContain('hunter22xyz');
    const cyclic: Record<string, unknown> = { text: 'password=hunter22xyz' };
    cyclic['self'] = cyclic;
    expect((redactDeep(cyclic, createRedactor()) as { text: string }).text).toBe('password=[REDACTED:secret-assignment]');
  });

  it('redacts an escaped name whose value follows after a space, as detection sees it', () => {
    const redact = createRedactor();
    for (const text of ['DB_PASSWORD%3D s3cretValue99 in env', 'password\\u003d s3cretValue99', 'DB_PASSWORD\\x3a s3cretValue99', 'password%3A%20 s3cretValue99', '"password\\u0022: \\u0022s3cretValue99\\u0022"', 'curl -u admin%3As3cretValue99 http://x']) {
      expect(redact(text), text).not.toContain('s3cretValue99');
    }
  });

  it('decodes JSON escapes before looking for secrets', () => {
    const redact = createRedactor();
    expect(redact('db_password=M\\u00f6tley99Cr\\u00fce')).not.toContain('tley99Cr');
    expect(redact(`key sk-proj-\\u0045scAb12${'Cd34Ef56'.repeat(3)}`)).not.toContain('Cd34Ef56');
  });
});
