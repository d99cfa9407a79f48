import { describe, expect, it } from 'vitest';
import { ChecksConfig } from '../../src/verify/config.js';
import { judgeRelevance, keyTermsOf, questionKeys, relevanceObjection, requiredMatches } from '../../src/verify/relevance.js';

const config = ChecksConfig.parse({}).relevance;
const redactQuestion = questionKeys('How do I drop redacted keys from the log output?');

/** A claim that copies its quote, as the offline researcher makes them. */
function judge(question: string, sentence: string, quotes: string[] = [sentence]) {
  return judgeRelevance(questionKeys(question), sentence, quotes, config);
}

describe('keyTermsOf', () => {
  it('keeps what the question is about and drops how it is asked', () => {
    expect(keyTermsOf('How do I drop redacted keys from the log output?').map((entry) => entry.word)).toEqual(['drop', 'redacted', 'key', 'log', 'output']);
    expect(keyTermsOf('Is it possible to make the checker work the best way?').map((entry) => entry.word)).toEqual(['checker']);
    expect(keyTermsOf('What is the default content type?').map((entry) => entry.word)).toEqual(['default', 'content', 'type']);
  });
});

describe('requiredMatches', () => {
  it('rounds the share up and asks for at least minMatchedTerms, or every term of a shorter question', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 10].map((count) => requiredMatches(count, config))).toEqual([1, 2, 2, 3, 3, 4, 4, 6]);
  });
});

describe('judgeRelevance', () => {
  it('fails a sentence about log levels for a question about dropping redacted keys', () => {
    const judgement = judgeRelevance(redactQuestion, 'Log levels are printed as words in the output.', ['Log levels are printed as words in the output.'], config);
    // It also never says "drop", the action the question asks about.
    expect(judgement).toEqual({ ok: false, score: 0.4, matched: ['log', 'output'], missing: ['drop', 'redacted', 'key'], action: 'drop' });
  });

  it('passes a sentence that answers it, one word of the question answered by a synonym', () => {
    const sentence = 'Use the `redact` option to remove the listed keys from every log line.';
    const judgement = judgeRelevance(redactQuestion, sentence, [sentence], config);
    // "remove" answers "drop": the two are one group of the shared lexicon (src/text/lexicon.ts).
    expect(judgement).toEqual({ ok: true, score: 0.8, matched: ['drop', 'redacted', 'key', 'log'], missing: ['output'] });
  });

  it('fails unanswerable questions against sentences that share some of their vocabulary', () => {
    const retries = judge(
      'How many times does Fastify retry loading a plugin that hit the plugin timeout before it gives up?',
      'pluginTimeout: The maximum amount of time in milliseconds in which a plugin can load. If not, ready will complete with an Error.',
    );
    // "up" is a stop word ("gives up"): 4 of the 9 key terms are mentioned.
    expect(retries).toEqual({ ok: false, score: 4 / 9, matched: ['time', 'loading', 'plugin', 'timeout'], missing: ['fastify', 'retry', 'hit', 'before', 'give'] });
    const retention = judge('How long are transcripts kept before Baton deletes old runs?', 'Baton keeps transcripts in a SQLite database under .baton in the project folder.');
    expect(retention).toMatchObject({ ok: false, score: 2 / 7, matched: ['transcript', 'baton'] });
  });

  it('needs both key terms of a two-term question', () => {
    expect(judge('What is the license of Baton?', 'Baton is an open-source TypeScript runtime.')).toMatchObject({ ok: false, score: 0.5, matched: ['baton'], missing: ['license'] });
    expect(judge('What is Baton?', 'Baton is an open-source TypeScript runtime.')).toMatchObject({ ok: true, score: 1 });
  });

  it('requires the code names the question asks about', () => {
    const judgement = judge('What does `maxParamLength` limit in a route?', 'The `bodyLimit` option limits what a route accepts.');
    expect(judgement).toMatchObject({ ok: false, matched: ['limit', 'route'] });
    expect(judgement.missing).toEqual(['maxParamLength']);
    expect(judge('What does `maxParamLength` limit?', 'maxParamLength limits the length of a route parameter.').ok).toBe(true);
  });

  it('counts the question\'s numbers as key terms, not as requirements', () => {
    const judgement = judge('What status code does the client receive when reply.send() gets an Error while the status code is 200?', 'reply.send() with an Error sends status code 500 to the client.');
    expect(judgement.missing).toEqual(['receive', '200']);
    expect(judgement.ok).toBe(true);
  });

  it('reads the ask, not the condition before it or the purpose after it', () => {
    // "If …, " is the situation and ", so I can …" the reason: neither is what an answer must address.
    const keys = questionKeys('If reply.send() gets an Error while the status code is 200, what status code does the client receive, so I can log it?');
    expect(keys.terms.map((entry) => entry.word)).toEqual(['status', 'code', 'client', 'receive']);
  });

  it('reads the claim with its quotes: a quoted heading supplies the topic', () => {
    const judgement = judgeRelevance(redactQuestion, 'Redaction: listed keys are dropped from the output.', ['## Redaction', 'Listed keys are dropped from the output.'], config);
    // "dropped" is the question's "drop", inflected.
    expect(judgement).toMatchObject({ ok: true, missing: ['log'] });
  });
});

describe('relevanceObjection', () => {
  it('names what the claim mentions, what it lacks and what was expected', () => {
    const judgement = judgeRelevance(redactQuestion, 'Log levels are printed as words.', ['Log levels are printed as words.'], config);
    expect(relevanceObjection('s1.c2', 's1', redactQuestion, judgement, config)).toEqual({
      kind: 'relevance',
      target: 's1.c2',
      message:
        'claim s1.c2 does not answer step s1 ("How do I drop redacted keys from the log output?"): of the question\'s key terms it mentions only "log", not "drop", "redacted", "key", "output"; expected at least 3 of 5 (55%): drop, redacted, key, log, output; it never says "drop", the action the question asks about. Expected: a claim whose quote addresses the question.',
    });
  });

  it('names a code name the claim never mentions', () => {
    const keys = questionKeys('What does `maxParamLength` limit in a route?');
    const judgement = judgeRelevance(keys, 'The maximum parameter length of a route is limited.', ['The maximum parameter length of a route is limited.'], config);
    expect(judgement.ok).toBe(false);
    expect(relevanceObjection('s2.c1', 's2', keys, judgement, config).message).toContain('it never mentions "maxParamLength", which the question names');
  });
});
