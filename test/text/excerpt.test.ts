import { describe, expect, it } from 'vitest';
import { quote } from '../../src/roles/repair.js';
import { excerpt } from '../../src/text/excerpt.js';
import { createRedactor } from '../../src/transcript/redact.js';

const awsKey = ['AKIA', 'IOSFODNN7EXAMPLQ'].join('');
const githubToken = `ghp_${'16C7e42F292c6912E7710c838347Ae178B4a'}`;

describe('excerpt', () => {
  it('never ends inside a token, so a cut-off secret cannot pass redaction', () => {
    const text = `${'pad '.repeat(14)}${awsKey} tail`;
    for (let limit = 50; limit < text.length; limit += 1) {
      const shown = excerpt(text, limit).text;
      expect(shown.includes(awsKey.slice(0, 6)) ? shown.includes(awsKey) : true, `limit ${limit}: ${shown}`).toBe(true);
    }
  });

  it('keeps short texts whole and says when it cut', () => {
    expect(excerpt('short', 10)).toEqual({ text: 'short', cut: false });
    expect(excerpt('one two three', 9)).toEqual({ text: 'one two ', cut: true });
    expect(excerpt('x'.repeat(20), 5)).toEqual({ text: '', cut: true });
  });

  it('lets quotes of invalid values be redacted whatever the length limit', () => {
    const redact = createRedactor();
    for (const secret of [awsKey, githubToken]) {
      for (let padding = 0; padding < 60; padding += 7) {
        const quoted = redact(quote({ x: `${'p'.repeat(padding)} ${secret} tail` }));
        expect(quoted).not.toMatch(/AKIAIOSF|ghp_16C7/);
      }
    }
  });
});
