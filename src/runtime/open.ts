/**
 * Opens what runs need for a project: the transcript store, the model registry, the evidence source, the tools and
 * LangGraph's SQLite checkpointer, all under the project's data directory. The CLI and the server call this; library
 * users may build the same dependencies themselves.
 */
import path from 'node:path';
import { createTelemetry } from '../telemetry/index.js';
import { BATON_VERSION } from '../version.js';
import type { Project } from '../config/load.js';
import type { EvidenceSource } from '../knowledge/types.js';
import { ModelRegistry } from '../models/registry.js';
import { HealthTracker } from '../routing/health.js';
import type { ChatModel } from '../models/types.js';
import { ToolRegistry } from '../tools/registry.js';
import { openSqliteCheckpointer, type PendingCheckpointer } from './checkpointer.js';
import { openRunStore, projectRedactor } from './open-store.js';
import { PollingQueue } from './polling-queue.js';
import type { RunQueue } from '../stores/port.js';
import { builtInTools } from '../../tools/index.js';
import { chooseEvidence, type EvidenceChoice } from './knowledge.js';
import type { RunDependencies } from './run.js';
import { openConnectors } from '../connectors/open.js';
import type { ConnectorSet } from '../connectors/set.js';

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
  queue: RunQueue;
  connectors: ConnectorSet;
  /** Which evidence runs search, in words. */
  evidenceDescription: string;
  close(): Promise<void>;
}

/** LangGraph checkpoints beside the run store: SQLite's own file, or the same PostgreSQL database. */
async function openCheckpointer(project: Project, redact: ReturnType<typeof projectRedactor>): Promise<PendingCheckpointer> {
  if (project.store.kind === 'sqlite') return openSqliteCheckpointer(path.join(project.dataDir, 'checkpoints.db'), redact);
  const { openPostgresCheckpointer } = await import('../stores/postgres/checkpointer.js');
  const opened = openPostgresCheckpointer(project.store.url, redact);
  return { saver: opened.saver, close: () => void opened.close() };
}

async function openQueue(project: Project, store: Runtime['store']): Promise<RunQueue> {
  if (project.store.kind === 'sqlite') return new PollingQueue(store);
  const { openPostgresQueue } = await import('../stores/postgres/queue.js');
  return openPostgresQueue({ url: project.store.url });
}

export async function openRuntime(project: Project, options: OpenRuntimeOptions): Promise<Runtime> {
  const redact = projectRedactor(project, options.env);
  const store = await openRunStore(project, options.env, redact);
  let checkpointer: PendingCheckpointer | undefined;
  let chosen: EvidenceChoice;
  let queue: RunQueue;
  try {
    checkpointer = options.checkpoints === false ? undefined : await openCheckpointer(project, store.redact);
    chosen = options.evidence ? { evidence: options.evidence, description: 'evidence given by the caller', close: () => undefined } : chooseEvidence(project, options.env);
    queue = await openQueue(project, store);
  } catch (error) {
    // A damaged checkpoints.db or knowledge base: close what is already open before reporting it.
    checkpointer?.close();
    await store.close();
    throw error;
  }
  const connectors = openConnectors(project, options.env, store.redact);
  // Off unless OTEL_EXPORTER_OTLP_ENDPOINT (or the traces one) is set; then the SDK is loaded, never before.
  const telemetry = await createTelemetry({ env: options.env, serviceVersion: BATON_VERSION, warn: (message) => process.emitWarning(message, { code: 'BATON_TELEMETRY' }) });
  return {
    project,
    env: options.env,
    store,
    queue,
    models: new ModelRegistry(project.models, options.env, options.modelOverrides),
    evidence: chosen.evidence,
    evidenceDescription: chosen.description,
    tools: new ToolRegistry(builtInTools),
    connectors,
    health: new HealthTracker({ failureThreshold: project.config.resilience.failureThreshold, cooldownMs: project.config.resilience.cooldownMs }),
    ...(checkpointer ? { checkpointer: checkpointer.saver } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(telemetry.enabled ? { telemetry } : {}),
    close: async () => {
      await telemetry.shutdown();
      await connectors.close();
      chosen.close();
      checkpointer?.close();
      await store.close();
    },
  };
}
