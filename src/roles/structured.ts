/**
 * Asks a model for output that validates against a role's schema. A reply that does not validate is asked again with
 * the validation error, a bounded number of times; tool calls the model makes on the way are run and answered. It
 * never crashes a run: it either returns a valid value or throws a typed {@link ModelOutputError}.
 */
import { z } from 'zod';
import { ModelOutputError } from '../errors.js';
import type { ToolCallRecord, TurnEvent } from '../transcript/schema.js';
import type { ChatMessage, ChatModel, ModelRequest, ModelResponse, ToolCallRequest, ToolSpec, Usage } from '../models/types.js';

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

function describeFailure(value: unknown, error: z.ZodError | undefined): string {
  if (value === undefined) return 'the reply was not valid JSON';
  return (error?.issues ?? [])
    .slice(0, 8)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
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

export async function generateStructured<Output>(call: StructuredCall<Output>): Promise<StructuredResult<Output>> {
  const jsonSchema = jsonSchemaOf(call.schema);
  const messages: ChatMessage[] = [...call.request.messages];
  const toolCalls: ToolCallRecord[] = [];
  const events: TurnEvent[] = [];
  const usage: Usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0, estimated: false };
  let attempts = 0;
  let failures = 0;
  let modelId: string;
  const maxToolCalls = call.maxToolCalls ?? 0;

  for (;;) {
    attempts += 1;
    const offerTools = call.tools && toolCalls.length < maxToolCalls;
    const response: ModelResponse = await call.model.generate({
      ...call.request,
      messages,
      output: { name: call.schemaName, jsonSchema },
      ...(offerTools ? { tools: call.tools!.specs } : {}),
    });
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
        const result = await call.tools.run(toolCall);
        toolCalls.push(result.record);
        messages.push({ role: 'tool', toolCallId: toolCall.id, content: result.content });
      }
      continue;
    }

    const value = extractJson(response.text);
    const parsed = value === undefined ? undefined : call.schema.safeParse(value);
    if (parsed?.success) {
      messages.push({ role: 'assistant', content: response.text });
      return { value: parsed.data, messages, toolCalls, usage, attempts, model: modelId, events };
    }
    failures += 1;
    const problem =
      value === undefined && response.toolCalls.length > 0
        ? 'the reply called tools instead of answering, and no more tool calls are allowed'
        : describeFailure(value, parsed?.error);
    events.push({ type: 'output-invalid', at: call.now(), attempt: failures, problem });
    if (failures > call.maxRetries) {
      throw new ModelOutputError(
        `role "${call.role}": the model's reply did not match the ${call.schemaName} schema after ${failures} attempt(s): ${problem}`,
        { role: call.role, attempts: failures },
        { hint: 'try a model that supports structured output, or set structuredOutput: prompt for this model' },
      );
    }
    messages.push({ role: 'assistant', content: response.text });
    messages.push({
      role: 'user',
      content: `Your reply did not match the required ${call.schemaName} schema: ${problem}. Reply again with only a JSON object that matches this JSON Schema:\n${JSON.stringify(jsonSchema)}`,
    });
  }
}
