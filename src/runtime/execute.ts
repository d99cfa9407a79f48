/**
 * Executes a run the caller has acquired (it holds the lease): from its first node, or from its last checkpoint
 * after an interruption or a person's decision. The same code serves `baton run`, `baton resume`, `baton approve`,
 * servers and workers. It renews the lease while the graph runs, parks the run at a human gate, and ends it in one
 * place. Whatever ends a run, the turns recorded so far stay in the transcript.
 */
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import type { Project } from '../config/load.js';
import { BatonError, CancelledError, errorMessage, RunLeaseLostError, StoreUnavailableError } from '../errors.js';
import { buildRunGraph, SUPERVISOR_KEY } from '../graph/build.js';
import type { GateQuestion } from '../graph/human-gate.js';
import type { RunEvent, SupervisorDeps } from '../graph/node.js';
import type { RunStateValue } from '../graph/state.js';
import { budgetExceeded, finalStatus, maxRounds } from '../graph/supervisor.js';
import { RunLabels } from '../routing/needs.js';
import { DeadlineExceededError } from '../routing/resilience.js';
import { closingTurn } from '../stores/records.js';
import { redactDeep } from '../transcript/redact.js';
import type { RunRecord, TurnEvent } from '../transcript/schema.js';
import { CombinedEvidence, type Attachment } from './attachments.js';
import { runImages } from './email.js';
import { roleContextFactory } from './role-context.js';
import { guardDetectors, outputPolicy, runGuard } from '../guards/setup.js';
import { recordInputGuard, screenInputs } from '../guards/inputs.js';
import { policeAnswer } from '../guards/answer.js';
import { policeCall } from '../guards/side-effects.js';
import type { GuardEvent } from '../guards/types.js';
import { detectConfidential } from '../routing/detectors.js';
import { leaseTiming, startHeartbeat } from './lease.js';
import { createLimiter } from './limiter.js';
import { buildResult, endStatus, type AbortReason, type FailureInfo } from './outcome.js';
import type { RunDependencies, RunOutcome } from './run.js';
import { prepareRunSources } from './sources.js';
import { freshInput, graphInput, pendingGate, type GraphConfig } from './graph-input.js';

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
export function compiledGraph(project: Project, checkpointer: BaseCheckpointSaver | undefined): ReturnType<typeof buildRunGraph> {
  let byCheckpointer = graphs.get(project);
  if (!byCheckpointer) graphs.set(project, (byCheckpointer = new Map()));
  let graph = byCheckpointer.get(checkpointer);
  if (!graph) byCheckpointer.set(checkpointer, (graph = buildRunGraph(project.stages, checkpointer)));
  return graph;
}

export interface ExecuteOptions {
  /** The lease holder (this process); the caller has acquired the run under it. */
  owner: string;
  /** When the lease the caller acquired expires (epoch ms): without a renewal by then, this process stops. */
  leaseExpiresAt: number;
  /** Aborting it cancels the run. */
  signal?: AbortSignal;
  /** Aborting it releases the run: it stops here and writes nothing more, to be resumed later (a stopping server). */
  release?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
}

/** An event sink that also reports guard decisions to telemetry. */
function observed(onEvent: (event: TurnEvent) => void, telemetry: RunDependencies['telemetry']): (event: TurnEvent) => void {
  if (!telemetry) return onEvent;
  return (event) => {
    if (event.type === 'guard') telemetry.guard(event as GuardEvent); // payload sources are operation ids, not URLs
    onEvent(event);
  };
}

export async function executeRun(deps: RunDependencies, acquired: RunRecord, options: ExecuteOptions): Promise<RunOutcome> {
  if (!deps.telemetry) return executeSegment(deps, acquired, options);
  // One span per execution of the run (a resume is another), with its turns, calls and guard decisions inside.
  return deps.telemetry.run({ runId: acquired.id, resumed: (acquired.resumes ?? 0) > 0, goalLength: acquired.goal.length }, () => executeSegment(deps, acquired, options), (outcome) => outcome.status);
}

async function executeSegment(deps: RunDependencies, acquired: RunRecord, options: ExecuteOptions): Promise<RunOutcome> {
  const clock = deps.clock ?? (() => new Date());
  const now = deps.now ?? (() => performance.now());
  const { project, store } = deps;
  const runId = acquired.id;
  const started = now();
  const limits = project.config.limits;
  const segmentStart = clock().getTime();
  // Each execution gets the run's maximum duration from when it starts (time spent queued, interrupted or waiting for
  // a person does not count); a deadline the caller gave is a wall-clock time and still applies.
  // The record's labels also hold tags and attachment records; only the routing labels are read back.
  const { confidential, priority, budgetUsd, deadlineMs } = acquired.labels as Partial<RunLabels>;
  const recorded = RunLabels.parse({ confidential, priority, budgetUsd, deadlineMs });
  const labels: RunLabels = RunLabels.parse({
    ...recorded,
    deadlineMs: Math.min(recorded.deadlineMs ?? Infinity, segmentStart + limits.maxDurationMs),
  });
  const checkpointer = await deps.checkpointer;
  const graph = compiledGraph(project, checkpointer);
  const controller = new AbortController();
  let abortReason: AbortReason | undefined;
  const abort = (reason: AbortReason): void => {
    if (abortReason) return;
    abortReason = reason;
    controller.abort(reason === 'deadline' ? new DeadlineExceededError(undefined) : new CancelledError(reason === 'cancelled' ? 'the run was cancelled' : 'another process took the run'));
  };
  const onUserAbort = (): void => abort('cancelled');
  const onRelease = (): void => abort('lease-lost');
  if (options.signal?.aborted) onUserAbort();
  if (options.release?.aborted) onRelease();
  options.signal?.addEventListener('abort', onUserAbort, { once: true });
  options.release?.addEventListener('abort', onRelease, { once: true });
  const deadline = setTimeout(() => abort('deadline'), Math.max(0, (labels.deadlineMs ?? Infinity) - segmentStart));
  deadline.unref?.();
  const heartbeat = startHeartbeat(store, runId, options.owner, leaseTiming(project.config.runs), {
    onCancel: () => abort('cancelled'),
    onLost: () => abort('lease-lost'),
    firstExpiry: options.leaseExpiresAt,
  });
  const stopped = (): void => {
    clearTimeout(deadline);
    heartbeat.stop();
    options.signal?.removeEventListener('abort', onUserAbort);
    options.release?.removeEventListener('abort', onRelease);
  };

  let images: Attachment[] = [];
  // Files given with the run (an e-mail, a photo) are outside content: side effects with `approval: untrusted` ask.
  let attachmentsGiven: boolean | undefined;
  let flaggedInput = false;
  let evidence = deps.evidence;
  let failure: FailureInfo | null = null;
  const detectors = guardDetectors(project.config.guards, deps.models, store.redact);
  const policy = outputPolicy(project.config.outputPolicy, project.detectors);
  // A guard span names its source (a URL may carry a token): redacted like everything else that leaves.
  const observe = deps.telemetry ? (event: GuardEvent) => deps.telemetry!.guard({ ...event, source: store.redact(event.source) }) : undefined;
  try {
    const attachments = await store.attachments(runId);
    attachmentsGiven = attachments.length > 0;
    // Photos attached directly, and those inside an attached e-mail (expanded the same way on every resume).
    images = await runImages(attachments);
    // The goal and the attachments' texts pass the input guards first; a quarantined text never becomes a source.
    const guardEvents: GuardEvent[] = [];
    const screen = async (texts: Array<[string, string]>, goal?: string): Promise<Array<[string, string]>> => {
      const screened = await screenInputs(runGuard(project.config.guards, runId, undefined, detectors, observe), goal, texts, controller.signal);
      guardEvents.push(...screened.events);
      // A goal or file the guard flagged and let through steered nothing yet, but side effects ask from now on.
      if (screened.events.some((event) => event.action === 'flag')) flaggedInput = true;
      if (screened.blocked) failure = screened.blocked.toJSON();
      return screened.texts;
    };
    await screen([], acquired.goal);
    if (!failure && attachments.some((attachment) => attachment.kind !== 'image')) {
      try {
        const runSources = await prepareRunSources(attachments, { deps, runId, labels, clock, now, signal: controller.signal, screen });
        evidence = new CombinedEvidence([runSources, deps.evidence]);
      } catch (error) {
        failure = error instanceof BatonError ? error.toJSON() : { code: 'INTERNAL', message: errorMessage(error) };
      }
    }
    await recordInputGuard(store, runId, options.owner, guardEvents, clock);
  } catch (error) {
    // The store failed before anything ran: stop renewing the lease, so the run can be resumed once it is back.
    stopped();
    throw error;
  }
  const limiters = new Map<string, ReturnType<typeof createLimiter>>();
  const supervisor: SupervisorDeps = {
    runId,
    owner: options.owner,
    // Set once the checkpoint shows whether the run executed before.
    resumed: true,
    stages: project.stages,
    stops: graphStops(project),
    store,
    contextFor: roleContextFactory({ deps, project, store, runId, labels, evidence: () => evidence, images: () => images, detectors, signal: controller.signal, now, ...(observe ? { observe } : {}) }),
    abortReason: () => abortReason,
    limiterFor: (stage) => {
      let limiter = limiters.get(stage.name);
      if (!limiter) limiters.set(stage.name, (limiter = createLimiter(stage.concurrency)));
      return limiter;
    },
    now,
    clock,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(deps.connectors ? { connectors: deps.connectors } : {}),
    untrustedInput: attachmentsGiven === true || flaggedInput,
    detect: (text: string) => detectConfidential(text, project.detectors).map((detection) => detection.detector),
    guardFor: (state) => runGuard(project.config.guards, runId, state.guardSeed, detectors, observe),
    police: (onEvent) => policeCall(policy, observed(onEvent, deps.telemetry), clock),
    ...(deps.telemetry ? { telemetry: deps.telemetry } : {}),
    signal: controller.signal,
  };
  const config: GraphConfig = {
    recursionLimit: (project.stages.length + 2) * (limits.maxRounds + 1) + 10,
    configurable: { thread_id: runId, [SUPERVISOR_KEY]: supervisor },
    // Every step is checkpointed before the next starts, so a process killed at any point resumes from its last step.
    // ('async', LangGraph's default, was measured faster on PostgreSQL, but a process killed between a step's writes
    // and its checkpoint could leave a checkpoint with the step's state and without the tasks it scheduled: a kill test
    // under load resumed such a run to nothing and ended it failed.)
    durability: 'sync',
  };

  let state: RunStateValue | undefined;
  let gate: GateQuestion | undefined;
  try {
    if (!failure) {
      // Without a checkpointer (library users may go without) a run starts from its goal and cannot pause or resume.
      const start = checkpointer ? await graphInput(graph, config, acquired, deps) : { input: freshInput(acquired) };
      supervisor.resumed = !('input' in start) || (start.input as { goal?: unknown } | null)?.goal === undefined;
      if ('ended' in start) state = start.ended;
      else if ('park' in start) {
        state = start.state;
        gate = start.park;
      }
      // Roles never throw into the graph (the supervisor turns their errors into end states), so invoke returns the
      // final state; only a fault in the graph itself throws, and every turn recorded before it stays.
      else state = (await graph.invoke(start.input as never, config)) as RunStateValue;
      if (!('park' in start) && !abortReason && checkpointer) {
        const pending = await pendingGate(graph, config);
        gate = pending.question;
        if (pending.stopped && state) state = { ...state, ...pending.stopped };
      }
    }
  } catch (error) {
    // The store failed (the database went away) or another process holds the run: this is not the run's failure.
    // It is left to its lease: once that expires the run reads interrupted and is resumed from its last checkpoint.
    if (error instanceof StoreUnavailableError || error instanceof RunLeaseLostError) throw error;
    failure = error instanceof BatonError ? error.toJSON() : { code: 'INTERNAL', message: errorMessage(error) };
  } finally {
    stopped();
  }

  if (abortReason === 'lease-lost') {
    // Another process holds the run now: it writes the rest; this one writes nothing more.
    return { ...(await currentOutcome(deps, runId)), durationMs: now() - started };
  }
  // A run cancelled while it reached the gate ends cancelled; it is not parked for a person.
  if (gate && abortReason !== 'cancelled') return park(deps, acquired, gate, state, options.owner, now() - started);

  let status = endStatus(state, abortReason, failure);
  let error = failure ?? (state?.error ? { code: state.error.code, message: state.error.message, ...(state.error.hint ? { hint: state.error.hint } : {}) } : null);
  // What is returned is printed and served, so it gets the same redaction as what is stored; then the output policy.
  const policed = policeAnswer(policy, state ? redactDeep(buildResult(state, status, project.stages), store.redact) : null, clock().getTime());
  const result = policed.result;
  if (policed.event) deps.telemetry?.guard(policed.event);
  if (policed.blocked) {
    status = 'failed';
    error = policed.blocked.toJSON();
  }
  const usage = state?.usage ?? [];
  const outcome: RunOutcome = {
    runId,
    status,
    result,
    rounds: state?.round ?? acquired.rounds,
    inputTokens: usage.reduce((sum, entry) => sum + entry.inputTokens, 0),
    outputTokens: usage.reduce((sum, entry) => sum + entry.outputTokens, 0),
    costUsd: usage.reduce((sum, entry) => sum + entry.costUsd, 0),
    costEstimated: usage.some((entry) => entry.estimated),
    durationMs: now() - started,
    objections: result ? result.verification.verdicts.flatMap((verdict) => verdict.objections) : [],
    error: redactDeep(status === 'failed' || status === 'cancelled' ? (error ?? (status === 'cancelled' ? { code: 'CANCELLED', message: 'the run was cancelled' } : null)) : error, store.redact),
  };
  const endedAt = clock();
  const finished = await store.finishRun(
    {
      ...acquired,
      status,
      rounds: outcome.rounds,
      endedAt: endedAt.toISOString(),
      // A run's duration is the time from its start to its end, whatever waited in between.
      durationMs: Math.max(0, endedAt.getTime() - Date.parse(acquired.startedAt)),
      inputTokens: outcome.inputTokens,
      outputTokens: outcome.outputTokens,
      costUsd: outcome.costUsd,
      costEstimated: outcome.costEstimated,
      result,
      error: outcome.error,
    },
    closingTurn({ id: runId, rounds: outcome.rounds }, endedAt, { status, answer: result?.answer ?? null, objections: outcome.objections, error: outcome.error, ...(policed.event ? { events: [policed.event] } : {}) }),
    options.owner,
  );
  if (!finished) return { ...(await currentOutcome(deps, runId)), durationMs: now() - started };
  return outcome;
}

/** Parks the run at a human gate: the request is stored, the run reads `awaiting_human` and the lease is released. */
async function park(deps: RunDependencies, acquired: RunRecord, gate: GateQuestion, state: RunStateValue | undefined, owner: string, durationMs: number): Promise<RunOutcome> {
  const clock = deps.clock ?? (() => new Date());
  const usage = state?.usage ?? [];
  const totals = {
    rounds: state?.round ?? acquired.rounds,
    inputTokens: usage.reduce((sum, entry) => sum + entry.inputTokens, 0),
    outputTokens: usage.reduce((sum, entry) => sum + entry.outputTokens, 0),
    costUsd: usage.reduce((sum, entry) => sum + entry.costUsd, 0),
    costEstimated: usage.some((entry) => entry.estimated),
  };
  await deps.store.recordTurn(
    {
      runId: acquired.id,
      round: gate.round,
      from: 'supervisor',
      to: [gate.gate],
      role: 'supervisor',
      kind: 'supervisor',
      model: null,
      startedAt: clock().toISOString(),
      latencyMs: 0,
      messages: [{ role: 'user', content: gate.prompt }],
      output: { awaiting: gate.gate, review: gate.review },
      toolCalls: [],
      usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0, estimated: false },
      costUsd: 0,
      attempts: 0,
      events: [],
    },
    { key: { round: gate.round, stage: `await:${gate.gate}`, attempt: 0 }, stateUpdate: null, owner },
  );
  await deps.store.updateRun({ ...acquired, ...totals }, owner);
  const parked = await deps.store.awaitDecision(
    { runId: acquired.id, gate: gate.gate, review: gate.review, prompt: gate.prompt, subject: gate.subject, round: gate.round, requestedAt: clock().toISOString() },
    owner,
  );
  // Not parked: another process holds the run now, or a cancellation asked for meanwhile ended it.
  if (!parked || (await deps.store.getRun(acquired.id)).status !== 'awaiting_human') return { ...(await currentOutcome(deps, acquired.id)), durationMs };
  return { runId: acquired.id, status: 'awaiting_human', result: null, ...totals, durationMs, objections: [], error: null };
}

/** The outcome as the store has it (another process finished or holds the run). */
async function currentOutcome(deps: RunDependencies, runId: string): Promise<RunOutcome> {
  const record = await deps.store.getRun(runId);
  return {
    runId,
    status: record.status,
    result: record.result,
    rounds: record.rounds,
    inputTokens: record.inputTokens,
    outputTokens: record.outputTokens,
    costUsd: record.costUsd,
    costEstimated: record.costEstimated,
    durationMs: 0,
    objections: record.result ? record.result.verification.verdicts.flatMap((verdict) => verdict.objections) : [],
    error: record.error,
  };
}
