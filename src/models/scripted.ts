/**
 * A scripted model for tests and benchmarks: replays queued replies (or a function of the request) and records every
 * request it receives. Part of the product's test kit, exported for users' own tests.
 */
import { estimateTokens, type ChatModel, type ModelRequest, type ModelResponse, type ToolCallRequest } from './types.js';

export type ScriptedReply = string | { text?: string; toolCalls?: ToolCallRequest[]; error?: Error; usage?: { inputTokens: number; outputTokens: number } };
export type Script = ScriptedReply[] | ((request: ModelRequest, index: number) => ScriptedReply | Promise<ScriptedReply>);

export class ScriptedModel implements ChatModel {
  readonly provider = 'scripted' as const;
  readonly endpoint = 'scripted';
  readonly id: string;
  readonly name: string;
  /** Every request, in order. */
  readonly requests: ModelRequest[] = [];
  private readonly script: Script;

  constructor(script: Script, name = 'scripted') {
    this.script = script;
    this.name = name;
    this.id = `scripted:${name}`;
  }

  async generate(request: ModelRequest): Promise<ModelResponse> {
    const index = this.requests.length;
    this.requests.push(request);
    request.signal?.throwIfAborted();
    const reply = typeof this.script === 'function' ? await this.script(request, index) : this.script[index];
    if (reply === undefined) throw new Error(`scripted model "${this.name}" has no reply for call ${index + 1}`);
    const resolved = typeof reply === 'string' ? { text: reply } : reply;
    if (resolved.error) throw resolved.error;
    const text = resolved.text ?? '';
    const inputTokens = resolved.usage?.inputTokens ?? estimateTokens(JSON.stringify(request.messages));
    const outputTokens = resolved.usage?.outputTokens ?? estimateTokens(text);
    return {
      text,
      toolCalls: resolved.toolCalls ?? [],
      usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens, estimated: resolved.usage === undefined },
      model: this.id,
      latencyMs: 0,
    };
  }
}

/**
 * A model that answers like `inner` once `wait(request)` settles: a slow, gated or flaky endpoint for tests and
 * benchmarks, recording every request like any scripted model.
 */
export function answerAfter(inner: ChatModel, wait: (request: ModelRequest) => Promise<void>, name: string = inner.name): ScriptedModel {
  return new ScriptedModel(async (request) => {
    await wait(request);
    const response = await inner.generate(request);
    return { text: response.text, toolCalls: response.toolCalls, usage: { inputTokens: response.usage.inputTokens, outputTokens: response.usage.outputTokens } };
  }, name);
}
