/**
 * The offline engine: a model provider that needs no network and no weights, and is deterministic. Each built-in role
 * kind has an honest strategy that works from the typed task, never from prompt text.
 */
import { estimateTokens, type ChatModel, type ModelRequest, type ModelResponse } from '../types.js';
import { offlineCheck } from './checker.js';
import { offlineGeneric } from './generic.js';
import { offlinePlan } from './planner.js';
import { offlineResearch } from './researcher.js';

export const OFFLINE_MODEL_ID = 'offline:baton-offline-1';

export class OfflineModel implements ChatModel {
  readonly id = OFFLINE_MODEL_ID;
  readonly provider = 'offline' as const;
  readonly endpoint = 'offline';
  readonly name: string;

  constructor(name = 'offline') {
    this.name = name;
  }

  async generate(request: ModelRequest): Promise<ModelResponse> {
    const started = performance.now();
    request.signal?.throwIfAborted();
    const task = request.task;
    let output: unknown;
    switch (task.kind) {
      case 'plan':
        output = offlinePlan(task);
        break;
      case 'research':
        output = offlineResearch(task);
        break;
      case 'check':
        output = offlineCheck(task);
        break;
      case 'generic':
        output = offlineGeneric(task);
        break;
      default: {
        const unreachable: never = task;
        throw new Error(`unknown task ${JSON.stringify(unreachable)}`);
      }
    }
    const text = JSON.stringify(output);
    // The offline engine reads the typed task, so that is what its "input tokens" count.
    const inputTokens = estimateTokens(JSON.stringify(task));
    const outputTokens = estimateTokens(text);
    return {
      text,
      toolCalls: [],
      usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens, estimated: true },
      model: this.id,
      latencyMs: performance.now() - started,
    };
  }
}
