/**
 * Runs one goal end to end: records the run, builds the graph for the project's flow, invokes it, and turns the final
 * state into an honest result. An answer the checker did not approve is never reported as verified, and whatever
 * ends the run, the turns recorded so far stay in the transcript.
 */
import { randomUUID } from 'node:crypto';
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import type { Project, Stage } from '../config/load.js';
import { BatonError, CancelledError, errorMessage } from '../errors.js';
import { validateGoal } from './goal.js';
import { composeDraft } from '../graph/compose.js';
import { buildRunGraph, SUPERVISOR_KEY } from '../graph/build.js';
import type { RunEvent, SupervisorDeps } from '../graph/node.js';
import { findingsOfRound, type RunStateValue, type RunStatus } from '../graph/state.js';
import { budgetExceeded, finalStatus, maxRounds } from '../graph/supervisor.js';
import type { EvidenceSource } from '../knowledge/types.js';
import type { ModelRegistry } from '../models/registry.js';
import type { ToolRegistry } from '../tools/registry.js';
import type { RunRecord, RunResult } from '../transcript/schema.js';
import type { TranscriptStore } from '../transcript/store.js';
import { createLimiter } from './limiter.js';
import { redactDeep } from '../transcript/redact.js';
import { attachmentRecord, CombinedEvidence, type Attachment } from './attachments.js';
import { prepareRunSources } from './sources.js';
import { RoutedModel, type TurnMeter } from '../models/routed.js';
import type { HealthTracker } from '../routing/health.js';
import { DeadlineExceededError } from '../routing/resilience.js';
import { RunLabels } from '../routing/needs.js';

function minDefined(left: number | undefined, right: number | undefined): number | undefined {
  if (left === undefined) return right;
  if (right === undefined) return left;
  return Math.min(left, right);
}

// Goal checks live in goal.ts; re-exported so existing imports of run.js keep working.
export { MAX_GOAL_LENGTH, validateGoal } from './goal.js';

export interface RunDependencies {
  project: Project;
  store: TranscriptStore;
  models: ModelRegistry;
  evidence: EvidenceSource;
  tools: ToolRegistry;
  /** LangGraph checkpoints of the run's graph; may still be loading (see `openSqliteCheckpointer`), a run awaits it. */
  checkpointer?: BaseCheckpointSaver | Promise<BaseCheckpointSaver>;
  /** Per-model failure counts and cooldowns, shared by every run of the runtime. */
  health: HealthTracker;
  /** Environment for API keys of transcription models. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Waits between retries (injected by tests). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Run ids; default random. */
  newId?: () => string;
  clock?: () => Date;
  now?: () => number;
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

const graphs = new WeakMap<Project, Map<BaseCheckpointSaver | undefined, ReturnType<typeof buildRunGraph>>>();
const stopsByProject = new WeakMap<Project, SupervisorDeps['stops']>();

/** The stop conditions of a project's limits. */
function graphStops(project: Project): SupervisorDeps['stops'] {
  let stops = stopsByProject.get(project);
  if (!stops) {
    const limits = project.config.limits;
    stops = [finalStatus(), budgetExceeded(limits), maxRounds(limits.maxRounds)];
    stopsByProject.set(project, stops);
  }
  return stops;
}

/** One compiled graph per project and checkpointer: compiling costs more than a short run. */
function compiledGraph(project: Project, checkpointer: BaseCheckpointSaver | undefined): ReturnType<typeof buildRunGraph> {
  let byCheckpointer = graphs.get(project);
  if (!byCheckpointer) graphs.set(project, (byCheckpointer = new Map()));
  let graph = byCheckpointer.get(checkpointer);
  if (!graph) byCheckpointer.set(checkpointer, (graph = buildRunGraph(project.stages, checkpointer)));
  return graph;
}

export function defaultRunId(): string {
  return `run_${Date.now().toString(36)}_${randomUUID().slice(0, 8)}`;
}

export async function runGoal(deps: RunDependencies, options: RunOptions): Promise<RunOutcome> {
  const goal = validateGoal(options.goal);
  const clock = deps.clock ?? (() => new Date());
  const now = deps.now ?? (() => performance.now());
  const { project, store } = deps;
  const runId = (deps.newId ?? defaultRunId)();
  const startedAt = clock();
  const started = now();
  const limits = project.config.limits;
  const labels: RunLabels = RunLabels.parse({
    ...options.labels,
    budgetUsd: minDefined(options.labels?.budgetUsd, limits.maxCostUsd),
    deadlineMs: minDefined(options.labels?.deadlineMs, startedAt.getTime() + limits.maxDurationMs),
  });

  // The run and its opening turn are one commit.
  // The checkpointer (which may still be loading, or fail to open) and the graph come first: a failure here leaves no
  // run recorded as `running`, no timer armed and no listener attached.
  const graph = compiledGraph(project, await deps.checkpointer);
  const run: RunRecord = store.atomically(() => {
    const created = store.createRun({
      id: runId,
      goal,
      status: 'running',
      rounds: 0,
      startedAt: startedAt.toISOString(),
      endedAt: null,
      durationMs: null,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
      costEstimated: false,
      engine: project.modelSource,
      labels: {
        ...labels,
        ...(options.tags ? { tags: options.tags } : {}),
        ...(options.attachments?.length ? { attachments: options.attachments.map(attachmentRecord) } : {}),
      },
      result: null,
      error: null,
    });
    store.appendTurn({
      runId,
      round: 0,
      from: 'user',
      to: ['supervisor'],
      role: 'supervisor',
      kind: 'supervisor',
      model: null,
      startedAt: startedAt.toISOString(),
      latencyMs: 0,
      messages: [{ role: 'user', content: goal }],
      output: {
        flow: project.stages.map((stage) => ({ role: stage.name, kind: stage.kind, model: stage.model ?? null, needs: stage.needs })),
        limits,
        labels,
        attachments: (options.attachments ?? []).map(attachmentRecord),
      },
      toolCalls: [],
      usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0, estimated: false },
      costUsd: 0,
      attempts: 0,
      events: [],
    });
    return created;
  });
  options.onStart?.(runId);

  const controller = new AbortController();
  let abortReason: 'cancelled' | 'deadline' | undefined;
  // The abort reason tells every call's error mapping which of the three stops it was (see src/abort.ts).
  const onUserAbort = (): void => {
    abortReason ??= 'cancelled';
    controller.abort(new CancelledError('the run was cancelled'));
  };
  if (options.signal?.aborted) onUserAbort();
  options.signal?.addEventListener('abort', onUserAbort, { once: true });
  const deadline = setTimeout(() => {
    abortReason ??= 'deadline';
    controller.abort(new DeadlineExceededError(undefined));
  }, Math.max(0, (labels.deadlineMs ?? Infinity) - startedAt.getTime()));
  deadline.unref?.();

  const sourceCache = new Map<string, string>();
  const images = (options.attachments ?? []).filter((attachment) => attachment.kind === 'image');
  let evidence = deps.evidence;
  let preparationError: { code: string; message: string; hint?: string } | null = null;
  if (options.attachments?.some((attachment) => attachment.kind !== 'image')) {
    try {
      const runSources = await prepareRunSources(options.attachments, { deps, runId, labels, clock, now, signal: controller.signal });
      evidence = new CombinedEvidence([runSources, deps.evidence]);
    } catch (error) {
      preparationError = error instanceof BatonError ? error.toJSON() : { code: 'INTERNAL', message: errorMessage(error) };
    }
  }
  const limiters = new Map<string, ReturnType<typeof createLimiter>>();
  const supervisor: SupervisorDeps = {
      runId,
      stages: project.stages,
      stops: graphStops(project),
      store,
      contextFor: (stage: Stage, state: RunStateValue) => {
        const meter: TurnMeter = { events: [], costUsd: 0 };
        return {
        stage,
        meter,
        model: new RoutedModel({
          registry: deps.models,
          specs: project.models,
          needs: stage.needs,
          labels,
          health: deps.health,
          detectors: project.detectors,
          meter,
          spentUsd: () => state.usage.reduce((sum, entry) => sum + entry.costUsd, 0),
          now,
          retry: project.config.resilience,
          redact: store.redact,
          ...(deps.sleep ? { sleep: deps.sleep } : {}),
        }),
        redact: store.redact,
        limits,
        tools: deps.tools,
        evidence,
        images,
        fetchPolicy: project.config.tools.fetch,
        ...(project.config.tools.webSearch ? { webSearchUrl: project.config.tools.webSearch.url } : {}),
        sourceCache,
        signal: controller.signal,
        now,
      };
      },
      abortReason: () => abortReason,
      limiterFor: (stage) => {
        let limiter = limiters.get(stage.name);
        if (!limiter) limiters.set(stage.name, (limiter = createLimiter(stage.concurrency)));
        return limiter;
      },
      now,
      clock,
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  };

  let state: RunStateValue | undefined;
  let failure: { code: string; message: string; hint?: string } | null = preparationError;
  if (!preparationError) try {
    // Roles never throw into the graph (the supervisor turns their errors into end states), so invoke returns the final
    // state; only a fault in the graph itself throws, and every turn recorded before it stays in the transcript.
    state = (await graph.invoke(
      // The graph (and so every model, role output and checkpoint) sees the goal as it was recorded: redacted.
      { runId, goal: run.goal },
      {
        recursionLimit: (project.stages.length + 2) * (limits.maxRounds + 1) + 10,
        configurable: { thread_id: runId, [SUPERVISOR_KEY]: supervisor },
      },
    )) as RunStateValue;
  } catch (error) {
    failure = error instanceof BatonError ? error.toJSON() : { code: 'INTERNAL', message: errorMessage(error) };
  } finally {
    clearTimeout(deadline);
    options.signal?.removeEventListener('abort', onUserAbort);
  }

  let status: RunStatus = state?.status ?? 'failed';
  if (abortReason === 'cancelled') status = 'cancelled';
  else if (abortReason === 'deadline' && status !== 'approved') status = 'budget_exceeded';
  // The deadline may be noticed first by the call it cut short (a BUDGET_EXCEEDED error) or by the run's own timer.
  if (failure) status = abortReason === 'cancelled' ? 'cancelled' : abortReason === 'deadline' || failure.code === 'BUDGET_EXCEEDED' ? 'budget_exceeded' : 'failed';
  if (status === 'running') status = 'failed';
  const error = failure ?? (state?.error ? { code: state.error.code, message: state.error.message, ...(state.error.hint ? { hint: state.error.hint } : {}) } : null);

  // What is returned is printed and served, so it gets the same redaction as what is stored.
  const result = state ? redactDeep(buildResult(state, status, project.stages), store.redact) : null;
  const usage = state?.usage ?? [];
  const outcome: RunOutcome = {
    runId,
    status,
    result,
    rounds: state?.round ?? 0,
    inputTokens: usage.reduce((sum, entry) => sum + entry.inputTokens, 0),
    outputTokens: usage.reduce((sum, entry) => sum + entry.outputTokens, 0),
    costUsd: usage.reduce((sum, entry) => sum + entry.costUsd, 0),
    costEstimated: usage.some((entry) => entry.estimated),
    durationMs: now() - started,
    objections: result ? result.verification.verdicts.flatMap((verdict) => verdict.objections) : [],
    error: redactDeep(status === 'failed' || status === 'cancelled' ? (error ?? (status === 'cancelled' ? { code: 'CANCELLED', message: 'the run was cancelled' } : null)) : error, store.redact),
  };
  // The closing turn and the run's final record are one commit.
  store.atomically(() => {
    store.appendTurn({
      runId,
      round: outcome.rounds,
      from: 'supervisor',
      to: ['user'],
      role: 'supervisor',
      kind: 'supervisor',
      model: null,
      startedAt: clock().toISOString(),
      latencyMs: 0,
      messages: [],
      output: { status, verified: status === 'approved', answer: result?.answer ?? null, objections: outcome.objections },
      toolCalls: [],
      usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0, estimated: false },
      costUsd: 0,
      attempts: 0,
      events: [],
      ...(outcome.error ? { error: outcome.error } : {}),
    });
    store.updateRun({
      ...run,
      status,
      rounds: outcome.rounds,
      endedAt: clock().toISOString(),
      durationMs: outcome.durationMs,
      inputTokens: outcome.inputTokens,
      outputTokens: outcome.outputTokens,
      costUsd: outcome.costUsd,
      costEstimated: outcome.costEstimated,
      result,
      error: outcome.error,
    });
  });
  return outcome;
}

/**
 * The round the state's plan was made in: the current one, or the one before when the current round's planner failed
 * (the round was started, but the plan, findings and draft are still the previous round's).
 */
function planRound(state: RunStateValue, stages: readonly Stage[]): number {
  const plannerFailed = state.error?.role !== undefined && stages.some((stage) => stage.kind === 'planner' && stage.name === state.error?.role);
  return plannerFailed ? Math.max(0, state.round - 1) : state.round;
}

/** The answer, its citations and the verification, from the final state. */
function buildResult(state: RunStateValue, status: RunStatus, stages: readonly Stage[]): RunResult | null {
  if (!state.plan) return null;
  const round = planRound(state, stages);
  const findings = findingsOfRound(state, round);
  const composed = composeDraft(state.plan, findings);
  const answer = state.draft && state.draft.round === round ? state.draft.text : composed.text;
  const lastVerdicts = new Map<string, RunStateValue['verdicts'][number]>();
  for (const verdict of state.verdicts) lastVerdicts.set(verdict.role, verdict);
  return {
    answer,
    citations: composed.citations,
    verification: {
      verified: status === 'approved',
      verdicts: [...lastVerdicts.values()].map((verdict) => ({ role: verdict.role, decision: verdict.decision, objections: verdict.objections.map((objection) => objection.message) })),
    },
  };
}
