/**
 * Starting, queueing, resuming and deciding runs. `runGoal` records a run and executes it here (the CLI); `submitRun`
 * records it as `queued` for a server or worker; `resumeRun` takes an interrupted run back; `decideRun` records a
 * person's decision at a human gate and queues the run to continue. Execution itself is in execute.ts.
 */
import { randomUUID } from 'node:crypto';
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import type { Project } from '../config/load.js';
import { RunBusyError, RunFlowChangedError, RunNotResumableError } from '../errors.js';
import { validateGoal } from './goal.js';
import type { RunEvent } from '../graph/node.js';
import type { RunStatus } from '../graph/state.js';
import type { EvidenceSource } from '../knowledge/types.js';
import type { ModelRegistry } from '../models/registry.js';
import type { ToolRegistry } from '../tools/registry.js';
import type { ConnectorSet } from '../connectors/set.js';
import type { NewTurn, RunRecord, RunResult } from '../transcript/schema.js';
import type { Decision, ExpectedRequest, GateRecord, RunQueue, RunStore } from '../stores/port.js';
import { attachmentRecord, type Attachment } from './attachments.js';
import type { HealthTracker } from '../routing/health.js';
import type { Telemetry } from '../telemetry/index.js';
import { RunLabels } from '../routing/needs.js';
import { executeRun } from './execute.js';
import { flowChanges, flowFingerprint } from './flow.js';
import { leaseTiming, newOwnerId } from './lease.js';

function minDefined(left: number | undefined, right: number | undefined): number | undefined {
  if (left === undefined) return right;
  if (right === undefined) return left;
  return Math.min(left, right);
}

// Goal checks live in goal.ts; re-exported so existing imports of run.js keep working.
export { MAX_GOAL_LENGTH, validateGoal } from './goal.js';

export interface RunDependencies {
  project: Project;
  store: RunStore;
  models: ModelRegistry;
  evidence: EvidenceSource;
  tools: ToolRegistry;
  /** The project's connectors (action stages, operation tools); built lazily, closed with the runtime. */
  connectors?: ConnectorSet;
  /** LangGraph checkpoints of the run's graph; may still be loading (see `openSqliteCheckpointer`), a run awaits it. */
  checkpointer?: BaseCheckpointSaver | Promise<BaseCheckpointSaver>;
  /** Hands queued runs to servers and workers. */
  queue?: RunQueue;
  /** Per-model failure counts and cooldowns, shared by every run of the runtime. */
  health: HealthTracker;
  /** Environment for API keys of transcription models. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Waits between retries (injected by tests). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Run ids; default random. */
  newId?: () => string;
  /** This process as a lease holder; default a new random id. */
  owner?: string;
  clock?: () => Date;
  now?: () => number;
  /** OpenTelemetry export (spans for runs, turns, model and tool calls, guard decisions); off when absent. */
  telemetry?: Telemetry;
}

export interface RunOptions {
  goal: string;
  /** Confidential, priority, budget (dollars) and deadline (epoch ms) of this run. */
  labels?: Partial<RunLabels>;
  /** Free-form tags recorded with the run, e.g. `{ kind: 'support' }` for `baton stats`. */
  tags?: Record<string, string>;
  /** Aborting it cancels the run: in-flight calls stop and the run ends `cancelled`. */
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  /** Files for this run: images for vision models, audio to transcribe, documents to use as sources. */
  attachments?: Attachment[];
  /** Called with the id as soon as the run is recorded, before any model is called. */
  onStart?: (runId: string) => void;
}

export interface RunOutcome {
  runId: string;
  status: RunStatus;
  result: RunResult | null;
  /** Rounds started, counting one whose planner failed. */
  rounds: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  costEstimated: boolean;
  durationMs: number;
  /** The last objections of the gates, when the run ended without approval. */
  objections: string[];
  error: { code: string; message: string; hint?: string } | null;
}

export function defaultRunId(): string {
  return `run_${Date.now().toString(36)}_${randomUUID().slice(0, 8)}`;
}

/** The run record and opening turn of a new run; `labels` are what the caller asked for, capped by the limits. */
function newRun(deps: RunDependencies, options: RunOptions, status: 'queued' | 'running'): { run: Omit<RunRecord, 'version'>; opening: NewTurn } {
  const goal = validateGoal(options.goal);
  const clock = deps.clock ?? (() => new Date());
  const { project } = deps;
  const runId = (deps.newId ?? defaultRunId)();
  const startedAt = clock().toISOString();
  const limits = project.config.limits;
  const labels: RunLabels = RunLabels.parse({ ...options.labels, budgetUsd: minDefined(options.labels?.budgetUsd, limits.maxCostUsd) });
  const attachments = (options.attachments ?? []).map(attachmentRecord);
  const flow = flowFingerprint(project);
  return {
    run: {
      id: runId,
      goal,
      status,
      rounds: 0,
      startedAt,
      endedAt: null,
      durationMs: null,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
      costEstimated: false,
      engine: project.modelSource,
      labels: { ...labels, ...(options.tags ? { tags: options.tags } : {}), ...(attachments.length ? { attachments } : {}) },
      result: null,
      error: null,
      flow,
      ...(status === 'queued' ? { queuedAt: startedAt } : {}),
    },
    opening: {
      runId,
      round: 0,
      from: 'user',
      to: ['supervisor'],
      role: 'supervisor',
      kind: 'supervisor',
      model: null,
      startedAt,
      latencyMs: 0,
      messages: [{ role: 'user', content: goal }],
      output: {
        flow: project.stages.map((stage) => ({ role: stage.name, kind: stage.kind, model: stage.model ?? null, needs: stage.needs })),
        flowHash: flow.hash,
        limits,
        labels,
        attachments,
      },
      toolCalls: [],
      usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0, estimated: false },
      costUsd: 0,
      attempts: 0,
      events: [],
    },
  };
}

/** Records a run and executes it in this process, holding its lease until it ends or parks at a human gate. */
export async function runGoal(deps: RunDependencies, options: RunOptions): Promise<RunOutcome> {
  const owner = deps.owner ?? newOwnerId();
  const { run, opening } = newRun(deps, options, 'running');
  // The checkpointer (which may still be loading, or fail to open) comes first: a failure here leaves no run
  // recorded as `running`.
  await deps.checkpointer;
  const timing = leaseTiming(deps.project.config.runs);
  const leaseExpiresAt = Date.now() + timing.leaseMs;
  const created = await deps.store.createRun(run, opening, {
    state: { status: 'running', lease: { owner, expiresAt: leaseExpiresAt }, ...(options.attachments?.length ? { attachments: options.attachments } : {}) },
  });
  options.onStart?.(created.id);
  return executeRun(deps, created, { owner, leaseExpiresAt, ...(options.signal ? { signal: options.signal } : {}), ...(options.onEvent ? { onEvent: options.onEvent } : {}) });
}

/** Records a run as `queued` (its attachments with it) for a server or worker, and returns its record. */
export async function submitRun(deps: RunDependencies, options: Omit<RunOptions, 'signal' | 'onEvent' | 'onStart'>): Promise<RunRecord> {
  const { run, opening } = newRun(deps, options, 'queued');
  const created = await deps.store.createRun(run, opening, { state: { status: 'queued', ...(options.attachments?.length ? { attachments: options.attachments } : {}) } });
  deps.queue?.wake();
  return created;
}

/** Refuses a run recorded under another flow than the project's, naming both. */
export function checkFlow(project: Project, record: RunRecord): void {
  if (!record.flow) return;
  const current = flowFingerprint(project);
  if (current.hash === record.flow.hash) return;
  throw new RunFlowChangedError(
    `run ${record.id} was started under flow ${record.flow.hash} (${record.flow.stages.join(' → ')}), and the project's flow is now ${current.hash} (${current.stages.join(' → ')}); changed: ${flowChanges(record.flow, current)}. A run only continues under the flow it was started with`,
    { hint: 'restore the config, roles and prompts the run was started with, or start a new run' },
  );
}

/**
 * Takes a run and executes it here: an interrupted run, or a queued one (a decision came, or no server took it).
 * Refuses an unknown run, a finished one, one waiting for a person, one another process holds, and one whose flow
 * changed, each with its own error.
 */
export async function resumeRun(deps: RunDependencies, runId: string, options: Pick<RunOptions, 'signal' | 'onEvent' | 'onStart'> = {}): Promise<RunOutcome> {
  const record = await deps.store.getRun(runId);
  if (record.status === 'running') {
    throw new RunBusyError(`run ${runId} is running in another process (its lease is held)`, { hint: `wait for it, or cancel it with \`baton cancel ${runId}\`` });
  }
  if (record.status === 'awaiting_human') {
    throw new RunNotResumableError(runId, 'waiting for a person', { hint: `decide with \`baton approve ${runId}\` or \`baton reject ${runId} --reason "..."\`` });
  }
  if (record.status !== 'interrupted' && record.status !== 'queued') throw new RunNotResumableError(runId, record.status, { hint: 'start a new run with `baton run`' });
  checkFlow(deps.project, record);
  await deps.checkpointer;
  const owner = deps.owner ?? newOwnerId();
  const timing = leaseTiming(deps.project.config.runs);
  const leaseExpiresAt = Date.now() + timing.leaseMs;
  const acquired = await deps.store.acquire(runId, { owner, expiresAt: leaseExpiresAt });
  if (!acquired) {
    // Taken by another process first, or cancelled (a cancellation asked for while it was interrupted).
    const now = await deps.store.getRun(runId);
    if (now.status !== 'running') throw new RunNotResumableError(runId, now.status);
    throw new RunBusyError(`run ${runId} was just taken by another process`, { hint: `follow it with \`baton show ${runId}\`` });
  }
  const resumed = { ...acquired, resumes: (acquired.resumes ?? 0) + 1, ...(record.status === 'interrupted' ? { interruptions: (acquired.interruptions ?? 0) + 1 } : {}) };
  await deps.store.updateRun(resumed, owner);
  options.onStart?.(runId);
  return executeRun(deps, resumed, { owner, leaseExpiresAt, ...(options.signal ? { signal: options.signal } : {}), ...(options.onEvent ? { onEvent: options.onEvent } : {}) });
}

/** Records a person's decision at the run's open human gate and queues the run to continue. */
export async function decideRun(deps: Pick<RunDependencies, 'store' | 'queue' | 'clock'>, runId: string, decision: Omit<Decision, 'decidedAt'>, expected?: ExpectedRequest): Promise<GateRecord> {
  const clock = deps.clock ?? (() => new Date());
  const gate = await deps.store.decide(runId, { ...decision, decidedAt: clock().toISOString() }, expected);
  deps.queue?.wake();
  return gate;
}
