/**
 * Asks a model for output that validates against a role's schema. A reply that does not validate is asked again with
 * the validation error (each problem quoting the offending value with its path), a bounded number of times; a reply
 * that differs from the schema only in form is normalised first (see `repair.ts`). Tool calls the model makes on the
 * way are run and answered, in the same requests as the response format or, for servers that cannot combine them,
 * before it. It never crashes a run: it either returns a valid value or throws a typed {@link ModelOutputError}, and
 * whatever it throws carries the calls made so far (see `partial-call.ts`).
 */
import { z } from 'zod';
import { ModelOutputError } from '../errors.js';
import { carryPartialCall } from './partial-call.js';
import { pathText, quote, validateReply, type ReplyIssue } from './repair.js';
import { escapeCodePoint, escapeControlCharacters } from '../text/control-characters.js';
import type { ToolCallRecord, TurnEvent } from '../transcript/schema.js';
import type { ChatMessage, ChatModel, ModelRequest, ModelResponse, ToolCallRequest, ToolSpec, Usage } from '../models/types.js';
import { excerpt } from '../text/excerpt.js';
import type { RunGuard } from '../guards/run-guard.js';
import { GuardError } from '../guards/errors.js';
import { unmark, unmarkText } from '../guards/spotlight.js';

export interface ToolRunner {
  specs: ToolSpec[];
  run(call: ToolCallRequest): Promise<{ content: string; record: ToolCallRecord }>;
}

export interface StructuredCall<Output> {
  role: string;
  model: ChatModel;
  request: Omit<ModelRequest, 'output' | 'tools'>;
  schema: z.ZodType<Output>;
  schemaName: string;
  maxRetries: number;
  tools?: ToolRunner;
  maxToolCalls?: number;
  now: () => number;
  /** The run's guard: a reply or tool call carrying the canary is blocked; the datamark is read back as spaces. */
  guard?: RunGuard;
}

export interface StructuredResult<Output> {
  value: Output;
  messages: ChatMessage[];
  toolCalls: ToolCallRecord[];
  usage: Usage;
  attempts: number;
  model: string;
  events: TurnEvent[];
}

/** JSON inside a reply: the whole text, or the first fenced or braced block. */
export function extractJson(text: string): unknown {
  const trimmed = text.trim();
  const candidates = [trimmed];
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(trimmed);
  if (fenced?.[1]) candidates.push(fenced[1].trim());
  const first = trimmed.indexOf('{');
  const last = trimmed.lastIndexOf('}');
  if (first >= 0 && last > first) candidates.push(trimmed.slice(first, last + 1));
  for (const candidate of candidates) {
    try {
      return JSON.parse(candidate);
    } catch {
      // try the next candidate
    }
  }
  return undefined;
}

/** Names a (non-null) value's JSON type in a sentence: `a string`, `a list`, `an object`. */
function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** `/^s\d+$/` as `^s\d+$`: the pattern itself, as a person would write it. */
function patternText(pattern: string): string {
  return /^\/([\s\S]*)\/[a-z]*$/.exec(pattern)?.[1] ?? pattern;
}

/** One issue as a line that quotes the offending value with its path, e.g. `steps.0.id: "step-1" does not match ^s\d+$`. */
export function describeIssue(issue: ReplyIssue): string {
  const where = pathText(issue.path);
  const input: unknown = issue.input;
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return `${where}: missing (expected ${issue.expected})`;
      return input === null ? `${where}: null, expected ${issue.expected}` : `${where}: ${quote(input)} is ${kindOf(input)}, expected ${issue.expected}`;
    case 'invalid_format':
      return issue.pattern ? `${where}: ${quote(input)} does not match ${patternText(issue.pattern)}` : `${where}: ${quote(input)} is not a valid ${issue.format}`;
    case 'invalid_value':
      if (input === undefined) return `${where}: missing (expected one of ${issue.values.map((value) => quote(value)).join(', ')})`;
      return `${where}: ${quote(input)} is not one of ${issue.values.map((value) => quote(value)).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'string') return `${where}: ${quote(input)} is shorter than ${issue.minimum} character(s)`;
      if (issue.origin === 'array' && Array.isArray(input)) return `${where}: has ${input.length} item(s), at least ${issue.minimum} needed`;
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') return `${where}: ${quote(input)} is ${issue.inclusive ? 'less than' : 'not more than'} ${String(issue.minimum)}`;
      break;
    case 'too_big':
      if (issue.origin === 'string') return `${where}: ${quote(input)} is longer than ${issue.maximum} character(s)`;
      if (issue.origin === 'array' && Array.isArray(input)) return `${where}: has ${input.length} item(s), at most ${issue.maximum} allowed`;
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') return `${where}: ${quote(input)} is ${issue.inclusive ? 'more than' : 'not less than'} ${String(issue.maximum)}`;
      break;
    case 'unrecognized_keys':
      return `${where}: unknown key(s) ${issue.keys.map((key) => quote(key)).join(', ')}`;
    default:
      break;
  }
  return input === undefined ? `${where}: ${issue.message}` : `${where}: ${quote(input)}: ${issue.message}`;
}

/** How many characters of a reply that is not JSON an error quotes. */
const REPLY_START_LIMIT = 80;

/** The start of a reply, quoted on one line: cut at `limit` characters, control characters escaped. */
function replyStart(text: string, limit = REPLY_START_LIMIT): string {
  // Never cut inside a token: a partial secret would pass redaction.
  const { text: start, cut } = excerpt(text.trim(), limit);
  // Line and paragraph separators too: the quote stays on one line wherever it is shown.
  const shown = escapeControlCharacters(start, { multiline: false }).replace(/[\u2028\u2029]/g, (separator) => escapeCodePoint(separator.codePointAt(0) ?? 0));
  return `"${shown}${cut ? '…' : ''}"`;
}

/** How many characters of a tool call's malformed arguments its answer and record quote. */
const ARGUMENTS_QUOTE_LIMIT = 200;

/**
 * A tool call whose arguments were not a JSON object: not run, recorded with the error and answered with it (quoting
 * what was sent), so the model can send the call again. It counts as a tool call, so retries stay bounded.
 */
function malformedToolCall(toolCall: ToolCallRequest, invalidArguments: string): { content: string; record: ToolCallRecord } {
  const error = `the arguments were not valid JSON: ${replyStart(invalidArguments, ARGUMENTS_QUOTE_LIMIT)}`;
  return {
    content: JSON.stringify({ error: `${error}. Call the tool again with its arguments as one JSON object.` }),
    record: { name: toolCall.name, arguments: invalidArguments, resultSummary: 'failed', durationMs: 0, error },
  };
}

/**
 * Why a reply failed, for the model's next try and for the error: every issue quotes its value, with its path; a reply
 * that is not JSON (`value` undefined) is quoted from its start when its `text` is given.
 */
export function describeFailure(value: unknown, issues: readonly ReplyIssue[] | undefined, text?: string): string {
  if (value === undefined) {
    if (text === undefined) return 'the reply was not valid JSON';
    return text.trim() === '' ? 'the reply was empty' : `the reply was not valid JSON: it began ${replyStart(text)}`;
  }
  const shown = (issues ?? []).slice(0, 8).map(describeIssue);
  const more = (issues?.length ?? 0) - shown.length;
  return shown.join('; ') + (more > 0 ? `; and ${more} more` : '');
}

/** Asks for the structured answer after a tool loop run without the response format (`toolsWithStructuredOutput: false`). */
function finalAnswerPrompt(schemaName: string): string {
  return `Now give your final answer: reply with only a JSON object that matches the required ${schemaName} schema.`;
}

const jsonSchemas = new WeakMap<z.ZodType, Record<string, unknown>>();

/** The JSON Schema of a zod schema, converted once per schema: conversion is costly and schemas do not change. */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  let converted = jsonSchemas.get(schema);
  if (!converted) {
    converted = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    delete converted['$schema'];
    jsonSchemas.set(schema, converted);
  }
  return converted;
}

/** Why the last reply failed and where to look: the hint names the real cause, not a generic remedy. */
function failureOf(call: Pick<StructuredCall<unknown>, 'role' | 'schemaName' | 'maxToolCalls'>, response: ModelResponse, value: unknown, issues: readonly ReplyIssue[] | undefined): { problem: string; hint: string } {
  if (value === undefined && response.toolCalls.length > 0) {
    return {
      problem: 'the reply called tools instead of answering, and no more tool calls are allowed',
      hint: `the model kept calling tools after its ${call.maxToolCalls ?? 0} tool call(s): raise limits.maxToolCalls, or, if its server drops the tools or the response format when a request carries both, set toolsWithStructuredOutput: false for this model`,
    };
  }
  if (value === undefined) {
    return {
      problem: describeFailure(value, issues, response.text),
      hint: 'the model answered in prose, not JSON: give it a response format its server enforces (structuredOutput: json_schema, or json_object), or use a model that follows JSON instructions',
    };
  }
  const paths = [...new Set((issues ?? []).map((issue) => pathText(issue.path)))].slice(0, 4).join(', ');
  return {
    problem: describeFailure(value, issues),
    hint: `the reply was JSON but broke the ${call.schemaName} schema at ${paths}: servers that constrain output with a grammar (llama.cpp, node-llama-cpp) do not enforce every JSON Schema rule (pattern, length, enum spelling); check that role "${call.role}"'s prompt asks for these fields as the schema has them, raise maxOutputRetries, or use a stronger model`,
  };
}

/**
 * A reply as the run may use it: one that carries the run's canary (in its text or a tool call's arguments) is
 * blocked, the event recorded and the reply kept in the turn's messages; the datamark of spotlighted text a model copied
 * is read back as spaces, so quotes and arguments read as their sources wrote them.
 */
function guardedReply(call: Pick<StructuredCall<unknown>, 'guard' | 'role'>, response: ModelResponse, events: TurnEvent[], messages: ChatMessage[]): ModelResponse {
  if (!call.guard) return response;
  const leak = call.guard.checkModelOutput(call.role, response.text, response.toolCalls.map((toolCall) => toolCall.arguments));
  if (leak) {
    events.push(leak);
    messages.push({ role: 'assistant', content: response.text, ...(response.toolCalls.length ? { toolCalls: response.toolCalls } : {}) });
    throw new GuardError('GUARD_BLOCKED', `role "${call.role}": the reply was blocked: it carried the run's canary token, so the model was repeating its instructions (a leaked system prompt, or an injected text steering it); no tool it asked for was called`, leak, {
      hint: 'see the turn in `baton transcript`; the text that steered the model is among the sources it read just before',
    });
  }
  return { ...response, text: unmarkText(response.text), toolCalls: response.toolCalls.map((toolCall) => ({ ...toolCall, arguments: unmark(toolCall.arguments) })) };
}

/**
 * Asks `call.model` until a reply validates against `call.schema` (normalised in form, see {@link validateReply}),
 * running the tool calls it makes on the way. Throws {@link ModelOutputError} after `maxRetries` invalid replies; any
 * error it throws carries the calls made so far (read it with `partialCallOf`), so a failed turn keeps its record.
 */
export async function generateStructured<Output>(call: StructuredCall<Output>): Promise<StructuredResult<Output>> {
  const jsonSchema = jsonSchemaOf(call.schema);
  const messages: ChatMessage[] = [...call.request.messages];
  const toolCalls: ToolCallRecord[] = [];
  const events: TurnEvent[] = [];
  const usage: Usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0, estimated: false };
  let attempts = 0;
  let failures = 0;
  let modelId: string | undefined;
  // Set once a model whose server cannot combine tools with a response format is done with its tools.
  let toolsClosed = false;
  const maxToolCalls = call.maxToolCalls ?? 0;

  try {
    for (;;) {
      attempts += 1;
      const offerTools = call.tools !== undefined && !toolsClosed && toolCalls.length < maxToolCalls;
      const response: ModelResponse = guardedReply(
        call,
        await call.model.generate({
          ...call.request,
          messages,
          output: { name: call.schemaName, jsonSchema },
          ...(offerTools ? { tools: call.tools!.specs } : {}),
        }),
        events,
        messages,
      );
      modelId = response.model;
      usage.inputTokens += response.usage.inputTokens;
      usage.outputTokens += response.usage.outputTokens;
      usage.totalTokens += response.usage.totalTokens;
      usage.estimated ||= response.usage.estimated;

      // Tool calls are run only while tools are offered: a model that keeps calling them past the limit is answered
      // like any reply that is not the JSON asked for, so its retries are bounded and the loop always ends.
      if (response.toolCalls.length > 0 && call.tools && offerTools) {
        messages.push({ role: 'assistant', content: response.text, toolCalls: response.toolCalls });
        for (const toolCall of response.toolCalls) {
          if (toolCalls.length >= maxToolCalls) {
            messages.push({ role: 'tool', toolCallId: toolCall.id, content: 'Tool call limit reached: answer with what you have.' });
            continue;
          }
          const result = toolCall.invalidArguments === undefined ? await call.tools.run(toolCall) : malformedToolCall(toolCall, toolCall.invalidArguments);
          toolCalls.push(result.record);
          messages.push({ role: 'tool', toolCallId: toolCall.id, content: result.content });
        }
        if (response.outputDeferred && toolCalls.length >= maxToolCalls) {
          // The tool budget is spent: the next call goes without tools, with the format, and must say so.
          toolsClosed = true;
          messages.push({ role: 'user', content: finalAnswerPrompt(call.schemaName) });
        }
        continue;
      }

      const value = extractJson(response.text);
      const checked = value === undefined ? undefined : validateReply(call.schema, value);
      if (checked?.success) {
        if (checked.fixes.length) events.push({ type: 'output-repaired', at: call.now(), attempt: attempts, fixes: checked.fixes });
        messages.push({ role: 'assistant', content: response.text });
        return { value: checked.data, messages, toolCalls, usage, attempts, model: response.model, events };
      }
      if (response.outputDeferred && offerTools) {
        // The server was sent the tools without the response format (it cannot combine them) and the model is done
        // with its tools: one more call, without tools, asks for the structured answer. Not a failure of the model.
        toolsClosed = true;
        if (response.text.trim()) messages.push({ role: 'assistant', content: response.text });
        messages.push({ role: 'user', content: finalAnswerPrompt(call.schemaName) });
        continue;
      }
      failures += 1;
      const failure = failureOf(call, response, value, checked?.issues);
      events.push({ type: 'output-invalid', at: call.now(), attempt: failures, problem: failure.problem });
      messages.push({ role: 'assistant', content: response.text });
      if (failures > call.maxRetries) {
        throw new ModelOutputError(
          `role "${call.role}": the model's reply did not match the ${call.schemaName} schema after ${failures} attempt(s): ${failure.problem}`,
          { role: call.role, attempts: failures },
          { hint: failure.hint },
        );
      }
      messages.push({
        role: 'user',
        content: `Your reply did not match the required ${call.schemaName} schema: ${failure.problem}. Reply again with only a JSON object that matches this JSON Schema:\n${JSON.stringify(jsonSchema)}`,
      });
    }
  } catch (error) {
    throw carryPartialCall(error, { messages, toolCalls, usage, attempts, model: modelId, events });
  }
}
