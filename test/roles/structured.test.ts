/**
 * Structured output from a model: replies that differ only in form are normalised, replies that break what matters
 * fail with a problem that quotes the offending value and a hint that names the real cause, and a failed call keeps
 * every request, reply, usage and validation problem for the turn's record.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ModelOutputError, ModelUnreachableError } from '../../src/errors.js';
import { ScriptedModel, type ScriptedReply } from '../../src/models/scripted.js';
import type { ChatMessage } from '../../src/models/types.js';
import { partialCallOf } from '../../src/roles/partial-call.js';
import { Plan, PlanReply, ResearchOutput, VerdictOutput } from '../../src/roles/schemas.js';
import { generateStructured, jsonSchemaOf, type ToolRunner } from '../../src/roles/structured.js';
import type { PlanTask } from '../../src/roles/tasks.js';

const task: PlanTask = { kind: 'plan', role: 'planner', goal: 'What is Baton?', round: 1, maxSteps: 5, previousPlan: null, objections: [] };
const messages: ChatMessage[] = [
  { role: 'system', content: 'You are the Planner.' },
  { role: 'user', content: 'Goal: What is Baton?' },
];

function ask<Output>(schema: z.ZodType<Output>, replies: ScriptedReply[], extra: { maxRetries?: number; tools?: ToolRunner; maxToolCalls?: number } = {}) {
  const model = new ScriptedModel(replies);
  let clock = 0;
  const result = generateStructured({
    role: 'planner',
    model,
    request: { task, messages },
    schema,
    schemaName: 'answer',
    maxRetries: extra.maxRetries ?? 2,
    ...(extra.tools ? { tools: extra.tools, maxToolCalls: extra.maxToolCalls ?? 3 } : {}),
    now: () => (clock += 1),
  });
  return { model, result };
}

async function failure(promise: Promise<unknown>): Promise<ModelOutputError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ModelOutputError);
  return error as ModelOutputError;
}

describe('replies that differ only in form are read as meant', () => {
  it('reads an enum value in another case, with whitespace or inflected, and drops unknown keys and nulls', async () => {
    const reply = { Decision: ' APPROVED ', objections: null, feedback: null, confidence: 0.9 };
    const { result, model } = ask(VerdictOutput, [JSON.stringify(reply)]);
    const value = await result;
    expect(value.value).toEqual({ decision: 'approve', objections: [], claims: [] });
    expect(value.attempts).toBe(1);
    expect(model.requests).toHaveLength(1);
    const repaired = value.events.find((event) => event.type === 'output-repaired');
    expect(repaired?.['fixes']).toEqual(expect.arrayContaining([expect.stringContaining('"confidence"')]));
  });

  it('reads objection kinds spelled with spaces or underscores, and a single objection given as an object', async () => {
    const reply = { decision: 'Reject', objections: { kind: 'Unsupported_Claim', target: 's1.c1', message: 'no source says so' } };
    const value = (await ask(VerdictOutput, [JSON.stringify(reply)]).result).value;
    expect(value).toEqual({ decision: 'reject', objections: [{ kind: 'unsupported-claim', target: 's1.c1', message: 'no source says so' }], claims: [] });
    expect((await ask(VerdictOutput, ['{"decision": "\\"Approved.\\""}']).result).value.decision).toBe('approve');
  });

  it('reads single items as lists, numbers as strings, and lists sent as JSON strings', async () => {
    const reply = {
      claims: { text: 'Baton verifies answers.', citations: JSON.stringify([{ Source: 'kb/baton.md', quote: 'Baton verifies every answer', chunk_id: 12 }]) },
      gaps: 'nothing on pricing',
    };
    const value = (await ask(ResearchOutput, [JSON.stringify(reply)]).result).value;
    expect(value).toEqual({
      claims: [{ text: 'Baton verifies answers.', citations: [{ source: 'kb/baton.md', quote: 'Baton verifies every answer', chunkId: '12' }] }],
      gaps: ['nothing on pricing'],
    });
  });

  it('reads numbers and booleans sent as strings in a schema a user declared, and keys in another case', async () => {
    const schema = z.object({ score: z.number().int(), final: z.boolean(), message: z.string() }).strict();
    const value = (await ask(schema, [JSON.stringify({ score: ' 7 ', final: 'TRUE', Message: 'done' })]).result).value;
    expect(value).toEqual({ score: 7, final: true, message: 'done' });
    // As a role's `output:` JSON Schema is read.
    const declared = z.fromJSONSchema({
      type: 'object',
      properties: { message: { type: 'string' }, score: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } } },
      required: ['message'],
      additionalProperties: false,
    });
    const read = (await ask(declared, [JSON.stringify({ Message: 'hi', score: '3', tags: 'urgent', extra: true })]).result).value;
    expect(read).toEqual({ message: 'hi', score: 3, tags: ['urgent'] });
  });

  it('numbers plan steps s1..sN whatever ids the model gave, or none', async () => {
    const reply = { steps: [{ id: 'step-1', question: 'What is Baton?' }, { question: 'Who uses it?', rationale: 'audience' }, { id: 1, question: 'Where does it run?' }] };
    const value = (await ask(PlanReply, [JSON.stringify(reply)]).result).value;
    expect(value.steps.map((step) => step.id)).toEqual(['s1', 's2', 's3']);
    expect(value.steps[1]).toEqual({ id: 's2', question: 'Who uses it?', rationale: 'audience' });
    expect(Plan.safeParse(value).success).toBe(true);
    // The model is not asked for a pattern it may not be able to follow.
    const schema = JSON.stringify(jsonSchemaOf(PlanReply));
    expect(schema).not.toContain('pattern');
    expect(schema).not.toContain('"required":["id"');
  });

  it('reads a string as the object it stands for when the object has one required string field', async () => {
    const listed = (await ask(PlanReply, [JSON.stringify({ steps: ['What is Baton?', 'Who uses it?'] })]).result);
    expect(listed.value.steps).toEqual([
      { id: 's1', question: 'What is Baton?' },
      { id: 's2', question: 'Who uses it?' },
    ]);
    expect(listed.attempts).toBe(1);
    expect(listed.events.find((event) => event.type === 'output-repaired')?.['fixes']).toEqual(expect.arrayContaining([expect.stringContaining('read as its "question"')]));
    // One question, neither a list nor an object.
    expect((await ask(PlanReply, [JSON.stringify({ steps: 'What is Baton?' })]).result).value.steps).toEqual([{ id: 's1', question: 'What is Baton?' }]);
    // The same for a schema a user declared.
    const declared = z.object({ items: z.array(z.object({ title: z.string(), note: z.string().optional() }).strict()) }).strict();
    expect((await ask(declared, [JSON.stringify({ items: ['first', { title: 'second' }] })]).result).value).toEqual({ items: [{ title: 'first' }, { title: 'second' }] });
  });

  it('unwraps the object sent inside one extra key', async () => {
    const wrapped = await ask(PlanReply, [JSON.stringify({ plan: { steps: [{ question: 'What is Baton?' }], notes: 'one step' } })]).result;
    expect(wrapped.value).toEqual({ steps: [{ id: 's1', question: 'What is Baton?' }], notes: 'one step' });
    expect(wrapped.attempts).toBe(1);
    // Any name, together with other differences in form inside.
    const verdict = (await ask(VerdictOutput, [JSON.stringify({ Result: { Decision: 'Approved' } })]).result).value;
    expect(verdict).toEqual({ decision: 'approve', objections: [], claims: [] });
    expect((await ask(PlanReply, [JSON.stringify({ Plan: { Steps: 'What is Baton?' } })]).result).value.steps).toEqual([{ id: 's1', question: 'What is Baton?' }]);
  });
});

describe('what matters stays strict, and a failure says what and where', () => {
  it('quotes the offending value with its path', async () => {
    const error = await failure(ask(Plan, [JSON.stringify({ steps: [{ id: 'step-1', question: 'What is Baton?' }] })], { maxRetries: 0 }).result);
    expect(error.message).toContain('steps.0.id: "step-1" does not match ^s\\d+$');
  });

  it('does not guess a decision, and lists the allowed values', async () => {
    const error = await failure(ask(VerdictOutput, [JSON.stringify({ decision: 'maybe' })], { maxRetries: 0 }).result);
    expect(error.message).toContain('decision: "maybe" is not one of "approve", "reject"');
  });

  it('keeps quotes and sources strict, and cuts long values short', async () => {
    const long = 'x'.repeat(500);
    const reply = { claims: [{ text: long, citations: [{ source: '', quote: 'ab' }] }] };
    const error = await failure(ask(ResearchOutput, [JSON.stringify(reply)], { maxRetries: 0 }).result);
    expect(error.message).toContain('claims.0.citations.0.quote: "ab" is shorter than 3 character(s)');
    expect(error.message).toContain('claims.0.citations.0.source: "" is shorter than 1 character(s)');
    expect(error.message).not.toContain(long);
  });

  it('says when a required field is missing, quoting null when the model sent null', async () => {
    const error = await failure(ask(VerdictOutput, [JSON.stringify({ decision: null })], { maxRetries: 0 }).result);
    expect(error.message).toContain('decision: null is not one of "approve", "reject"');
    const missing = await failure(ask(ResearchOutput, [JSON.stringify({ claims: [{ citations: [{ source: 'a', quote: 'abc' }] }] })], { maxRetries: 0 }).result);
    expect(missing.message).toContain('claims.0.text: missing (expected string)');
  });

  it('does not read a string as an object that asks for more than one field, or unwrap what is not a wrapper', async () => {
    // A citation is a source and a quote: a string could be either, so it is not guessed.
    const citation = await failure(ask(ResearchOutput, [JSON.stringify({ claims: [{ text: 'Baton verifies answers.', citations: ['kb/baton.md'] }] })], { maxRetries: 0 }).result);
    expect(citation.message).toContain('claims.0.citations.0: "kb/baton.md" is a string, expected object');
    // A decision stays strict inside a wrapper, and a wrapper around something else is not unwrapped.
    const decision = await failure(ask(VerdictOutput, [JSON.stringify({ verdict: { decision: 'maybe' } })], { maxRetries: 0 }).result);
    expect(decision.message).toContain('decision: "maybe" is not one of "approve", "reject"');
    const other = await failure(ask(VerdictOutput, [JSON.stringify({ verdict: { approved: true } })], { maxRetries: 0 }).result);
    expect(other.message).toContain('decision: missing');
    // A too-short question is still too short when sent as a string.
    const short = await failure(ask(PlanReply, [JSON.stringify({ steps: ['Go'] })], { maxRetries: 0 }).result);
    expect(short.message).toContain('"Go"');
  });

  it('reports what is left after a fix, not the problem the fix solved', async () => {
    // As a generic role's `output:` is read: "11" is read as 11, which is still too big.
    const declared = z.fromJSONSchema({ type: 'object', properties: { score: { type: 'integer', minimum: 0, maximum: 10 } }, required: ['score'] });
    const { result, model } = ask(declared, [JSON.stringify({ score: '11' }), JSON.stringify({ score: '-2' })], { maxRetries: 1 });
    const error = await failure(result);
    expect(error.message).toContain('score: -2 is less than 0');
    expect(error.message).not.toContain('is a string');
    // The model was asked again with the problem that remained.
    const retry = model.requests[1]!.messages.find((message) => message.role === 'user' && String(message.content).includes('did not match'));
    expect(retry?.content).toContain('score: 11 is more than 10');
    expect(retry?.content).not.toContain('is a string');
    // The same problem after a fix still quotes what the model sent.
    const same = await failure(ask(VerdictOutput, [JSON.stringify({ Decision: ' maybe ' })], { maxRetries: 0 }).result);
    expect(same.message).toContain('decision: " maybe " is not one of "approve", "reject"');
  });

  it('quotes the start of a reply that is not JSON, with control characters escaped', async () => {
    const prose = `I approve of this draft.\u0007\nIt is ${'very '.repeat(40)}good.`;
    const error = await failure(ask(VerdictOutput, [prose], { maxRetries: 0 }).result);
    expect(error.message).toContain('the reply was not valid JSON: it began "I approve of this draft.\\u0007\\u000aIt is very');
    expect(error.message).not.toContain('\u0007');
    expect(error.message).not.toContain('very '.repeat(40));
    expect(error.message).toMatch(/…"/);
    const empty = await failure(ask(VerdictOutput, ['   '], { maxRetries: 0 }).result);
    expect(empty.message).toContain('the reply was empty');
  });

  it('points the hint at the real cause', async () => {
    const prose = await failure(ask(VerdictOutput, ['I approve of this draft.'], { maxRetries: 0 }).result);
    expect(prose.hint).toMatch(/structuredOutput: json_schema/);
    const shape = await failure(ask(Plan, [JSON.stringify({ steps: [{ id: 'step-1', question: 'What is Baton?' }] })], { maxRetries: 0 }).result);
    expect(shape.hint).toContain('steps.0.id');
    expect(shape.hint).toMatch(/grammar/);
    expect(shape.hint).not.toMatch(/structuredOutput: prompt/);
  });
});

describe('a failed call keeps its record', () => {
  it('carries every request, reply, usage and validation problem of a call that never validated', async () => {
    const usage = { inputTokens: 100, outputTokens: 10 };
    const { result } = ask(VerdictOutput, [{ text: 'not json', usage }, { text: '{"decision": "maybe"}', usage }, { text: '{}', usage }]);
    const error = await result.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ModelOutputError);
    const partial = partialCallOf(error);
    expect(partial).toBeDefined();
    expect(partial!.attempts).toBe(3);
    expect(partial!.usage).toEqual({ inputTokens: 300, outputTokens: 30, totalTokens: 330, estimated: false });
    expect(partial!.model).toBe('scripted:scripted');
    const replies = partial!.messages.filter((message) => message.role === 'assistant').map((message) => message.content);
    expect(replies).toEqual(['not json', '{"decision": "maybe"}', '{}']);
    // The original prompt, then each reply and the correction that followed it.
    expect(partial!.messages.slice(0, 2)).toEqual(messages);
    expect(partial!.messages.filter((message) => message.role === 'user')).toHaveLength(3);
    expect(partial!.events.filter((event) => event.type === 'output-invalid').map((event) => event['problem'])).toEqual([
      'the reply was not valid JSON: it began "not json"',
      'decision: "maybe" is not one of "approve", "reject"',
      'decision: missing (expected one of "approve", "reject")',
    ]);
  });

  it('answers a tool call whose arguments were not JSON instead of running it, and records it with the error', async () => {
    const ran: string[] = [];
    const tools: ToolRunner = {
      specs: [{ name: 'read_source', description: 'Read.', parameters: { type: 'object' } }],
      run: async (call) => {
        ran.push(call.name);
        return { content: '"text"', record: { name: call.name, arguments: call.arguments, resultSummary: 'ok', durationMs: 1 } };
      },
    };
    const bad = { id: 'call_bad', name: 'read_source', arguments: {}, invalidArguments: '{"source": "kb/a.md"' };
    const { result, model } = ask(VerdictOutput, [{ toolCalls: [bad] }, { toolCalls: [bad] }, '{"decision": "approve"}'], { tools, maxToolCalls: 2 });
    const value = await result;
    expect(value.value.decision).toBe('approve');
    expect(ran).toEqual([]);
    expect(value.toolCalls).toEqual([0, 1].map(() => ({ name: 'read_source', arguments: bad.invalidArguments, resultSummary: 'failed', durationMs: 0, error: expect.stringContaining('not valid JSON') })));
    // Each counts against maxToolCalls: after two, tools are no longer offered.
    expect(model.requests.map((request) => request.tools !== undefined)).toEqual([true, true, false]);
    const answer = value.messages.find((message) => message.role === 'tool');
    expect(answer).toMatchObject({ role: 'tool', toolCallId: 'call_bad' });
    expect(answer?.content).toContain('kb/a.md');
  });

  it('carries the tool calls and replies made before a model error', async () => {
    const tools: ToolRunner = {
      specs: [{ name: 'search_docs', description: 'Search.', parameters: { type: 'object' } }],
      run: async (call) => ({ content: '[]', record: { name: call.name, arguments: call.arguments, resultSummary: '0 passages', durationMs: 1 } }),
    };
    const unreachable = new ModelUnreachableError('cannot reach http://127.0.0.1:9/v1', { endpoint: 'http://127.0.0.1:9/v1', model: 'm' });
    const { result } = ask(
      VerdictOutput,
      [{ toolCalls: [{ id: 'call_1', name: 'search_docs', arguments: { query: 'baton' } }], usage: { inputTokens: 50, outputTokens: 5 } }, { error: unreachable }],
      { tools },
    );
    const error = await result.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBe(unreachable);
    const partial = partialCallOf(error)!;
    expect(partial.attempts).toBe(2);
    expect(partial.usage).toMatchObject({ inputTokens: 50, outputTokens: 5 });
    expect(partial.toolCalls).toEqual([{ name: 'search_docs', arguments: { query: 'baton' }, resultSummary: '0 passages', durationMs: 1 }]);
    expect(partial.messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'tool']);
  });
});
