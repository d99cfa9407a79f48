/**
 * Turns model declarations into callable models. One instance per declared model for the life of a run set, so
 * clients and connections are reused.
 */
import type { ModelSpec } from '../config/models.js';
import { UnknownModelError } from '../errors.js';
import { OfflineModel } from './offline/index.js';
import { LazyOpenAICompatibleModel } from './lazy-openai.js';
import type { ChatModel } from './types.js';

export class ModelRegistry {
  private readonly specs: Map<string, ModelSpec>;
  private readonly instances = new Map<string, ChatModel>();
  private readonly env: Readonly<Record<string, string | undefined>>;

  constructor(specs: readonly ModelSpec[], env: Readonly<Record<string, string | undefined>>, overrides: Record<string, ChatModel> = {}) {
    this.specs = new Map(specs.map((spec) => [spec.name, spec]));
    this.env = env;
    for (const [name, model] of Object.entries(overrides)) this.instances.set(name, model);
  }

  /** The declaration of a model; throws listing what is registered when unknown. */
  spec(name: string): ModelSpec {
    const spec = this.specs.get(name);
    if (!spec) throw new UnknownModelError(name, [...this.specs.keys()]);
    return spec;
  }

  get names(): string[] {
    return [...this.specs.keys()];
  }

  /** The callable model for a name. */
  get(name: string): ChatModel {
    const existing = this.instances.get(name);
    if (existing) return existing;
    const spec = this.spec(name);
    const model: ChatModel = spec.provider === 'offline' ? new OfflineModel(spec.name) : new LazyOpenAICompatibleModel({ spec, env: this.env });
    this.instances.set(name, model);
    return model;
  }
}
