/** Shared builders for routing tests. */
import { ModelSpec } from '../../src/config/models.js';

/** An OpenAI-compatible model spec; defaults as the config schema gives them. */
export function spec(fields: Record<string, unknown> & { name: string }): ModelSpec {
  return ModelSpec.parse({ provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:9/v1', model: fields.name, ...fields });
}
