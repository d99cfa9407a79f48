/**
 * The one narrow seam between Baton and any model. Providers (OpenAI-compatible over HTTP, the offline engine, the
 * scripted test model) implement {@link ChatModel}; roles, the router and the resilience layer only ever see this.
 */
import type { RoleTask } from '../roles/tasks.js';

/** A piece of multimodal content. */
export type ContentPart =
  | { type: 'text'; text: string }
  | { type: 'image'; mimeType: string; dataBase64: string };

/** A tool call the model asked for. */
export interface ToolCallRequest {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
  /**
   * The arguments as the model sent them, when they were not a JSON object (then `arguments` is empty): such a call
   * is not run but answered with the problem, so the model can send it again.
   */
  invalidArguments?: string;
}

/** One message of a conversation with a model. */
export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | ContentPart[] }
  | { role: 'assistant'; content: string; toolCalls?: ToolCallRequest[] }
  | { role: 'tool'; content: string; toolCallId: string };

/** A tool offered to the model. `parameters` is a JSON Schema object. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** Token usage of one call. `estimated` is true when the endpoint reported none and Baton counted. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  estimated: boolean;
}

/** Structured output requested from the model: a name and a JSON Schema (derived from the role's zod schema). */
export interface OutputFormat {
  name: string;
  jsonSchema: Record<string, unknown>;
}

/** Everything a provider needs for one call. */
export interface ModelRequest {
  /** The typed task behind the messages; the offline engine works from this, never from prompt text. */
  task: RoleTask;
  messages: ChatMessage[];
  output?: OutputFormat;
  tools?: ToolSpec[];
  signal?: AbortSignal;
  /** Called with each text delta while a streaming provider answers. */
  onToken?: (delta: string) => void;
}

/** What a provider returns. */
export interface ModelResponse {
  text: string;
  toolCalls: ToolCallRequest[];
  usage: Usage;
  /** The model that actually answered, as `provider:model`. */
  model: string;
  latencyMs: number;
  /**
   * True when the request asked for an output format and offered tools, and the provider sent the tools without the
   * format because its server cannot combine them (`toolsWithStructuredOutput: false`). The caller asks again, without
   * tools, for the structured answer once the model stops calling tools.
   */
  outputDeferred?: boolean;
}

export type ProviderKind = 'offline' | 'openai-compatible' | 'scripted';

/** A model Baton can call. */
export interface ChatModel {
  /** `provider:model`, e.g. `openai-compatible:gpt-4o-mini` or `offline:baton-offline-1`. */
  readonly id: string;
  /** The configured name of this model in the registry. */
  readonly name: string;
  readonly provider: ProviderKind;
  /** Where calls go, for error messages and the transcript (`offline` for the offline engine). */
  readonly endpoint: string;
  generate(request: ModelRequest): Promise<ModelResponse>;
}

/** A rough token count for text, used when an endpoint reports no usage (about four characters a token). */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
