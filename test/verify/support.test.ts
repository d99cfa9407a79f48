import { describe, expect, it } from 'vitest';
import { ChecksConfig } from '../../src/verify/config.js';
import { judgeSupport, supportObjection } from '../../src/verify/support.js';

const config = ChecksConfig.parse({}).support;

describe('judgeSupport', () => {
  it('passes a claim that copies its quote, with score 1', () => {
    const quote = 'The `bodyLimit` option defaults to 1048576 bytes (1MiB) in **Fastify**.';
    expect(judgeSupport('The bodyLimit option defaults to 1048576 bytes (1MiB) in Fastify.', [quote], config)).toEqual({
      ok: true,
      score: 1,
      missingTerms: [],
      missingNumbers: [],
      missingNames: [],
    });
  });

  it('passes a light paraphrase that keeps most words, numbers and names', () => {
    const judgement = judgeSupport('Fastify recommends 2 vCPUs per app instance for the lowest latency.', ['To have the lowest possible latency, 2 vCPU are recommended per app instance (e.g., a k8s pod).'], config);
    expect(judgement.ok).toBe(true);
    expect(judgement.missingTerms).toEqual(['fastify']);
    expect(judgement.score).toBeCloseTo(6 / 7);
  });

  it('fails a claim that adds a number its quote does not have', () => {
    const judgement = judgeSupport('Fastify waits 3 seconds for a slow plugin.', ['Fastify waits 10 seconds for a slow plugin.'], config);
    expect(judgement.ok).toBe(false);
    expect(judgement.score).toBe(1);
    expect(judgement.missingNumbers).toEqual(['3']);
  });

  it('fails a claim that swaps a name', () => {
    const judgement = judgeSupport('Set `maxBodySize` to raise the limit.', ['Set `bodyLimit` to raise the limit.'], config);
    expect(judgement.ok).toBe(false);
    expect(judgement.missingNames).toEqual(['maxBodySize']);
  });

  it('fails a claim that says what the quote does not, by term coverage', () => {
    const judgement = judgeSupport('The checker approves answers after a human reviews every citation manually.', ['The checker approves answers.'], config);
    expect(judgement.ok).toBe(false);
    expect(judgement.score).toBeCloseTo(3 / 9);
    expect(judgement.missingTerms).toEqual(['after', 'human', 'review', 'every', 'citation', 'manually']);
  });

  it('fails a negated claim whose quote is not negated', () => {
    const judgement = judgeSupport('Compression is not enabled by default.', ['Compression is enabled by default.'], config);
    expect(judgement).toMatchObject({ ok: false, score: 1, negation: 'it says "not enabled" where its quote says "enabled" ("Compression is enabled by default")' });
  });

  it('reads every quote: a second quote (a heading) can supply a term', () => {
    expect(judgeSupport('Logging: it is disabled by default.', ['## Logging', 'It is disabled by default.'], config).ok).toBe(true);
    expect(judgeSupport('Logging: it is disabled by default.', ['It is disabled by default.'], config).missingTerms).toEqual(['logging']);
  });

  it('skips the parts a config turns off', () => {
    const relaxed = ChecksConfig.parse({ support: { numbers: false, names: false, negation: false } }).support;
    const judgement = judgeSupport('`maxBodySize` is not 3.', ['`bodyLimit` is 3.'], relaxed);
    expect(judgement.missingNumbers).toEqual([]);
    expect(judgement.missingNames).toEqual([]);
    expect(judgement.negation).toBeUndefined();
  });
});

describe('supportObjection', () => {
  it('says what is missing and what was expected', () => {
    const claim = 'The checker approves 3 answers after a human reviews them.';
    const judgement = judgeSupport(claim, ['The checker approves answers.'], config);
    const objection = supportObjection('s1.c2', claim, judgement, config);
    expect(objection).toEqual({
      kind: 'support',
      target: 's1.c2',
      message:
        'claim s1.c2 ("The checker approves 3 answers after a human reviews them.") is not backed by its quotes: only 50% of its terms occur in its quotes (expected at least 70%); missing "after", "human", "review"; the number "3" is in no quote. Expected: state only what the quoted words say, or quote the words that say it.',
    });
  });
});
