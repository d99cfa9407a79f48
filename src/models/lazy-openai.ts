/**
 * An OpenAI-compatible model whose client is loaded on its first call. The client (`@langchain/openai` and LangChain
 * core) costs about 0.2 s to load, and the registry is opened by commands that never call a model (`baton tool`) and
 * by runs on the offline engine: none of them should pay for it.
 */
import type { OpenAICompatibleModel } from '../config/models.js';
import type { OpenAICompatibleChatModel } from './openai.js';
import type { ChatModel, ModelRequest, ModelResponse } from './types.js';

/** Stands in for an {@link OpenAICompatibleChatModel} and creates it, once, when first asked to generate. */
export class LazyOpenAICompatibleModel implements ChatModel {
  readonly provider = 'openai-compatible' as const;
  /** The same identity the loaded model reports, known without loading it. */
  readonly id: string;
  readonly name: string;
  readonly endpoint: string;
  private readonly options: { spec: OpenAICompatibleModel; env: Readonly<Record<string, string | undefined>> };
  private loaded: Promise<OpenAICompatibleChatModel> | undefined;

  constructor(options: { spec: OpenAICompatibleModel; env: Readonly<Record<string, string | undefined>> }) {
    this.options = options;
    this.id = `openai-compatible:${options.spec.model}`;
    this.name = options.spec.name;
    this.endpoint = options.spec.baseUrl;
  }

  async generate(request: ModelRequest): Promise<ModelResponse> {
    this.loaded ??= import('./openai.js').then(({ OpenAICompatibleChatModel }) => new OpenAICompatibleChatModel(this.options));
    return (await this.loaded).generate(request);
  }
}
