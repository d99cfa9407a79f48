import { describe, expect, it } from 'vitest';
import { demandsOf, gives, unmetDemands } from '../../src/verify/answer-type.js';
import { ChecksConfig } from '../../src/verify/config.js';
import { judgeRelevance, questionKeys } from '../../src/verify/relevance.js';
import { canonicalStemmer, rewritePhrases } from '../../src/text/lexicon.js';
import { askedPart } from '../../src/text/question.js';
import { stem } from '../../src/verify/stem.js';

const relevance = ChecksConfig.parse({}).relevance;
const kinds = (question: string) => demandsOf(question).map((demand) => demand.kind);

describe('what a question asks for', () => {
  it('reads a number, a name or a value from unambiguous cues only', () => {
    expect(kinds('How long is a Fastify major version supported?')).toEqual(['quantity']);
    expect(kinds("What's the biggest request body Fastify accepts?")).toEqual(['quantity']);
    expect(kinds('Which option raises the body limit?')).toEqual(['name']);
    expect(kinds('How do I stop Fastify from sending the response?')).toEqual(['name']);
    expect(kinds('When a request fails validation, what status code and Fastify error code come back?').sort()).toEqual(['code', 'quantity']);
    expect(kinds('What is the default log level?')).toEqual(['value']);
    expect(kinds('What happens when the timeout fires?')).toEqual([]);
    expect(kinds('Does Fastify log by default?')).toEqual([]);
  });

  it('is given by a number or number word, a name set apart, or a literal value', () => {
    expect(gives('quantity', ['Major releases are supported for six months.'])).toBe(true);
    expect(gives('quantity', ['After this period, security fixes are still released.'])).toBe(false);
    expect(gives('name', ['Set `bodyLimit` to raise it.'])).toBe(true);
    expect(gives('name', ['The command baton runs lists past runs.'])).toBe(true);
    expect(gives('name', ['Halt the lifecycle and send the response yourself.'])).toBe(false);
    expect(gives('value', ["Default: 'info'."])).toBe(true);
    expect(gives('value', ['By default, the parent log level is inherited.'])).toBe(false);
    expect(unmetDemands('How long, and which option?', [['It waits 10 seconds.']]).map((demand) => demand.kind)).toEqual(['name']);
    // An error code is written as one: a class name does not give it.
    expect(gives('code', ['FastifyError is a custom error object.'])).toBe(false);
    expect(gives('code', ['The error code is FST_ERR_VALIDATION.'])).toBe(true);
  });
});

describe('relevance beyond shared words', () => {
  it('wants the action of a how-to, the ask rather than its contrast, and no pointer', () => {
    const stop = questionKeys('How do I stop Fastify from sending the response, so I can write to the raw response?');
    const raw = 'req and res are the raw Node.js request and response objects that Fastify sends.';
    expect(judgeRelevance(stop, raw, [raw], relevance)).toMatchObject({ ok: false, action: 'stop' });
    const instead = questionKeys('Can I handle validation failures in my own route handler instead of Fastify answering 400 automatically?');
    const premise = 'When validation fails, Fastify automatically answers 400 with the validation failures.';
    expect(judgeRelevance(instead, premise, [premise], relevance).ok).toBe(false);
    const pointer = 'See Content-Type Parser for details on the request payloads Fastify parses.';
    expect(judgeRelevance(questionKeys('Which request payloads does Fastify parse?'), pointer, [pointer], relevance)).toMatchObject({ ok: false, pointer: true });
  });

  it('finds a method named with its object by the method alone', () => {
    const keys = questionKeys('What do clients get when a request arrives after fastify.close() was called?');
    const sentence = 'Any request arriving after `close` has been called will receive a 503 response for the clients.';
    expect(judgeRelevance(keys, sentence, [sentence], relevance).ok).toBe(true);
  });
});

describe('the shared lexicon and the asked part', () => {
  it('reads the words of a group, inflected, as one', () => {
    const canonical = canonicalStemmer(stem);
    expect(canonical('dropped')).toBe(canonical('remove'));
    expect(canonical('biggest')).toBe(canonical('maximum'));
    expect(canonical('censor')).not.toBe(canonical('redact'));
    expect(rewritePhrases('Which agents come out of the box? Do they run at the same time?')).toMatch(/by default .* concurrently/);
  });

  it('keeps the questions of a text that sets a scene first, without a leading condition or a trailing purpose', () => {
    expect(askedPart('My app fails to start. How long does Fastify wait for a plugin?')).toBe('How long does Fastify wait for a plugin?');
    expect(askedPart('When the plan has several steps, does the research run in parallel?')).toBe('does the research run in parallel?');
    expect(askedPart('How can my handler notice the client left, so I can cancel a slow query?')).toBe('How can my handler notice the client left?');
    expect(askedPart('Why?')).toBe('Why?');
  });
});
