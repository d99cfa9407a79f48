/**
 * Opens what runs need for a project: the transcript store, the model registry, the evidence source, the tools and
 * LangGraph's SQLite checkpointer, all under the project's data directory. The CLI and the server call this; library
 * users may build the same dependencies themselves.
 */
import path from 'node:path';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import type { Project } from '../config/load.js';
import type { EvidenceSource } from '../knowledge/types.js';
import { ModelRegistry } from '../models/registry.js';
import { HealthTracker } from '../routing/health.js';
import type { ChatModel } from '../models/types.js';
import { ToolRegistry } from '../tools/registry.js';
import { createRedactor } from '../transcript/redact.js';
import { TranscriptStore } from '../transcript/store.js';
import { builtInTools } from '../../tools/index.js';
import { chooseEvidence } from './knowledge.js';
import type { RunDependencies } from './run.js';

export interface OpenRuntimeOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** Replace models by name (tests and benchmarks use scripted ones). */
  modelOverrides?: Record<string, ChatModel>;
  evidence?: EvidenceSource;
  /** Waits between retries (tests inject a fast one). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Keep LangGraph checkpoints in `<dataDir>/checkpoints.db` (default true). */
  checkpoints?: boolean;
}

export interface Runtime extends RunDependencies {
  /** Which evidence runs search, in words. */
  evidenceDescription: string;
  close(): void;
}

/** The API key values configured models read, so the redactor can remove them from every record. */
function secretValues(project: Project, env: Readonly<Record<string, string | undefined>>): string[] {
  return project.models.flatMap((model) => (model.provider === 'openai-compatible' && model.apiKeyEnv ? [env[model.apiKeyEnv] ?? ''] : [])).filter(Boolean);
}

export function openRuntime(project: Project, options: OpenRuntimeOptions): Runtime {
  const store = new TranscriptStore({ dataDir: project.dataDir, redact: createRedactor(secretValues(project, options.env), project.detectors) });
  const checkpointer = options.checkpoints === false ? undefined : SqliteSaver.fromConnString(path.join(project.dataDir, 'checkpoints.db'));
  const chosen = options.evidence ? { evidence: options.evidence, description: 'evidence given by the caller', close: () => undefined } : chooseEvidence(project, options.env);
  return {
    project,
    env: options.env,
    store,
    models: new ModelRegistry(project.models, options.env, options.modelOverrides),
    evidence: chosen.evidence,
    evidenceDescription: chosen.description,
    tools: new ToolRegistry(builtInTools),
    health: new HealthTracker({ failureThreshold: project.config.resilience.failureThreshold, cooldownMs: project.config.resilience.cooldownMs }),
    ...(checkpointer ? { checkpointer } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
    close: () => {
      chosen.close();
      store.close();
      const database = (checkpointer as unknown as { db?: { close(): void; open?: boolean } } | undefined)?.db;
      if (database?.open) database.close();
    },
  };
}
