/**
 * Opens what runs need for a project: the transcript store, the model registry, the evidence source, the tools and
 * LangGraph's SQLite checkpointer, all under the project's data directory. The CLI and the server call this; library
 * users may build the same dependencies themselves.
 */
import path from 'node:path';
import type { Project } from '../config/load.js';
import type { EvidenceSource } from '../knowledge/types.js';
import { ModelRegistry } from '../models/registry.js';
import { HealthTracker } from '../routing/health.js';
import type { ChatModel } from '../models/types.js';
import { ToolRegistry } from '../tools/registry.js';
import { openSqliteCheckpointer, type PendingCheckpointer } from './checkpointer.js';
import { openTranscriptStore } from './open-store.js';
import { builtInTools } from '../../tools/index.js';
import { chooseEvidence, type EvidenceChoice } from './knowledge.js';
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

export function openRuntime(project: Project, options: OpenRuntimeOptions): Runtime {
  const store = openTranscriptStore(project, options.env);
  let checkpointer: PendingCheckpointer | undefined;
  let chosen: EvidenceChoice;
  try {
    checkpointer = options.checkpoints === false ? undefined : openSqliteCheckpointer(path.join(project.dataDir, 'checkpoints.db'), store.redact);
    chosen = options.evidence ? { evidence: options.evidence, description: 'evidence given by the caller', close: () => undefined } : chooseEvidence(project, options.env);
  } catch (error) {
    // A damaged checkpoints.db or knowledge base: close what is already open before reporting it.
    checkpointer?.close();
    store.close();
    throw error;
  }
  return {
    project,
    env: options.env,
    store,
    models: new ModelRegistry(project.models, options.env, options.modelOverrides),
    evidence: chosen.evidence,
    evidenceDescription: chosen.description,
    tools: new ToolRegistry(builtInTools),
    health: new HealthTracker({ failureThreshold: project.config.resilience.failureThreshold, cooldownMs: project.config.resilience.cooldownMs }),
    ...(checkpointer ? { checkpointer: checkpointer.saver } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
    close: () => {
      chosen.close();
      store.close();
      checkpointer?.close();
    },
  };
}
