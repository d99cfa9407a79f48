/**
 * The supervisor's hub around every agent node: it checks the stop conditions, runs the role, records the turn in
 * the transcript before anything else starts, accounts usage and cost, and decides the end status a turn implies.
 */
import { isGraphInterrupt } from '@langchain/langgraph';
import type { Stage } from '../config/load.js';
import { BatonError, BudgetExceededError, CancelledError, errorMessage } from '../errors.js';
import { DeadlineExceededError } from '../routing/resilience.js';
import type { RoleContext } from '../roles/context.js';
import type { PlanStep } from '../roles/schemas.js';
import { runChecker, runGeneric, runPlanner, runResearcher, type RoleOutcome } from '../roles/run.js';
import { partialCallOf } from '../roles/partial-call.js';
import { turnKeyText, type RunStore, type TurnKey } from '../stores/port.js';
import { redactDeep, type Redactor } from '../transcript/redact.js';
import type { MessageRecord, NewTurn, TurnEvent } from '../transcript/schema.js';
import type { ChatMessage } from '../models/types.js';
import { composeDraft } from './compose.js';
import { addedRedactions } from '../text/redaction-markers.js';
import { superviseHumanGate } from './human-gate.js';
import { flaggedSources, recordText, superviseAction } from './action.js';
import { newlyFetched, operationToolsFor, roleSource } from './turn-tools.js';
export { policeOf, roleSource } from './turn-tools.js';
import type { ConnectorSet } from '../connectors/set.js';
import type { CallSite } from '../connectors/invoke.js';
import type { RunGuard } from '../guards/run-guard.js';
import type { Telemetry } from '../telemetry/index.js';
import type { AbortReason } from '../runtime/outcome.js';
import { nextStep, type NextStep, type StopCondition } from './supervisor.js';
import { reduceStatus, reduceUsage, type Draft, type Finding, type RunStateUpdate, type RunStateValue, type RunStatus, type UsageEntry } from './state.js';

/** Turn lifecycle events, for live progress on a terminal or an event stream. */
export type RunEvent =
  | { type: 'turn-start'; role: string; kind: Stage['kind']; model: string; round: number; stepId?: string }
  | { type: 'turn-end'; role: string; seq: number }
  /** A turn recorded before the run was interrupted, taken from the transcript instead of running again. */
  | { type: 'turn-replayed'; role: string; seq: number };

export interface SupervisorDeps {
  runId: string;
  /** The lease holder: turns are recorded only while it holds the run. */
  owner: string;
  /**
   * The run has executed before (it is resumed): a node first looks for its turn in the transcript. A run executing
   * for the first time has none to find (a turn another holder records meanwhile is still caught by recordTurn).
   */
  resumed: boolean;
  stages: readonly Stage[];
  stops: readonly StopCondition[];
  store: RunStore;
  /** The role context for one turn of a stage (model, tools, evidence, a fresh meter...). */
  contextFor: (stage: Stage, state: RunStateValue) => RoleContext;
  /** Why the run's signal fired, if it did (`lease-lost`: another process holds the run now). */
  abortReason: () => AbortReason | undefined;
  /** Bounds how many researcher tasks run at once. */
  limiterFor: (stage: Stage) => <T>(task: () => Promise<T>) => Promise<T>;
  now: () => number;
  clock: () => Date;
  onEvent?: (event: RunEvent) => void;
  /** The project's connectors, for action stages and roles that list operations as tools. */
  connectors?: ConnectorSet;
  /** The run was given outside content at its start (attachments such as an e-mail): `approval: untrusted` applies. */
  untrustedInput: boolean;
  /** The run's abort signal: a call in flight stops with it. */
  signal?: AbortSignal;
  /** Finds personal or confidential data in text (the project's detectors): what an action reads can taint the run. */
  detect?: (text: string) => readonly string[];
  /** The run's guard for a state (its spotlighting keys come from the state's seed): action results are screened by it. */
  guardFor?: (state: RunStateValue) => RunGuard;
  /** The output policy on side-effect payloads, with the sink for its events (see src/guards/side-effects.ts). */
  police?: (onEvent: (event: TurnEvent) => void) => CallSite['police'];
  /** OpenTelemetry: a span per turn, per tool call. */
  telemetry?: Telemetry;
}

/** The names a next step sends to, as the transcript records them. */
export function destinations(next: NextStep): string[] {
  switch (next.type) {
    case 'stage':
      return [next.stage.name];
    case 'fan-out':
      return next.steps.map((step) => `${next.stage.name}:${step.id}`);
    case 'parallel':
      return next.stages.map((stage) => stage.name);
    case 'end':
      return ['user'];
  }
}

function ensureDraft(state: RunStateValue): { draft: Draft; composed: boolean } {
  if (state.draft && state.draft.round === state.round) return { draft: state.draft, composed: false };
  const composed = composeDraft(state.plan!, state.findings.filter((finding) => finding.round === state.round));
  return { draft: { round: state.round, text: composed.text, author: 'supervisor' }, composed: true };
}

/** The state as it will be once this turn's update is applied: what the supervisor decides on. */
function project(state: RunStateValue, update: RunStateUpdate): RunStateValue {
  return {
    ...state,
    round: (update.round as number | undefined) ?? state.round,
    plan: (update.plan as RunStateValue['plan'] | undefined) ?? state.plan,
    draft: (update.draft as RunStateValue['draft'] | undefined) ?? state.draft,
    findings: state.findings.concat((update.findings as RunStateValue['findings'] | undefined) ?? []),
    verdicts: state.verdicts.concat((update.verdicts as RunStateValue['verdicts'] | undefined) ?? []),
    usage: reduceUsage(state.usage, (update.usage as UsageEntry[] | undefined) ?? []),
    status: update.status ? reduceStatus(state.status, update.status as RunStatus) : state.status,
  };
}

async function runRole(stage: Stage, state: RunStateValue, step: PlanStep | undefined, context: RoleContext, draft: Draft | undefined): Promise<RoleOutcome> {
  switch (stage.kind) {
    case 'planner':
      return runPlanner(state, context);
    case 'researcher':
      return runResearcher(state, step!, context);
    case 'checker':
      return runChecker(state, draft!, context);
    case 'generic':
      return runGeneric(state, draft ?? null, context);
    case 'human':
    case 'action':
      throw new Error(`a ${stage.kind} stage runs no role (see human-gate.ts, action.ts)`);
  }
}

function toMessageRecords(messages: ChatMessage[]): MessageRecord[] {
  return messages.map((message) => ({
    role: message.role,
    content:
      typeof message.content === 'string'
        ? message.content + (message.role === 'assistant' && message.toolCalls?.length ? `\n[tool calls: ${message.toolCalls.map((call) => call.name).join(', ')}]` : '')
        : message.content.map((part) => (part.type === 'text' ? part.text : `[image ${part.mimeType}, ${Math.round((part.dataBase64.length * 3) / 4)} bytes]`)).join('\n'),
  }));
}

/** What a supervised turn produced: the state update, where the run goes next, and the state it decided on. */
export interface TurnOutcome {
  update: RunStateUpdate;
  next: NextStep;
  /** The state with this turn's update applied (the fields the supervisor reads). */
  state: RunStateValue;
}

export function decided(stage: Stage, state: RunStateValue, update: RunStateUpdate, deps: Pick<SupervisorDeps, 'stages' | 'stops'>): TurnOutcome {
  const projected = project(state, update);
  const next = nextStep(deps.stages, stage, projected, deps.stops);
  return { update, next, state: { ...projected, status: update.status ? reduceStatus(projected.status, update.status as RunStatus) : projected.status } };
}

/**
 * The key of the turn a stage is about to record: its round, stage and step, and how often that same turn was
 * recorded before in the state (a stage that runs again in the same round gets the next attempt).
 */
export function turnKeyOf(stage: Stage, state: RunStateValue, step: PlanStep | undefined): TurnKey {
  const round = stage.kind === 'planner' ? state.round + 1 : state.round;
  const prefix = turnKeyText({ round, stage: stage.name, ...(step ? { step: step.id } : {}), attempt: 0 }).replace(/\/0$/, '/');
  // Checkpoints written before turn keys existed have none: such a run's turns are matched from this resume on.
  const attempt = (state.turnKeys ?? []).filter((key) => key.startsWith(prefix)).length;
  return { round, stage: stage.name, ...(step ? { step: step.id } : {}), attempt };
}

/**
 * A turn recorded before an interruption, whose node LangGraph runs again on resume: the stored update is returned as
 * it was, so no completed turn calls a model twice or is recorded twice.
 */
export async function replayedTurn(stage: Stage, state: RunStateValue, key: TurnKey, deps: SupervisorDeps): Promise<TurnOutcome | undefined> {
  if (!deps.resumed) return undefined;
  const found = await deps.store.findTurn(deps.runId, key);
  if (!found) return undefined;
  deps.onEvent?.({ type: 'turn-replayed', role: stage.name, seq: found.turn.seq });
  return decided(stage, state, found.stateUpdate as RunStateUpdate, deps);
}

/** Runs one agent turn under supervision; returns the update and the supervisor's decision on where to go next. */
export async function superviseTurn(stage: Stage, state: RunStateValue, step: PlanStep | undefined, deps: SupervisorDeps): Promise<TurnOutcome> {
  if (!deps.telemetry || stage.kind === 'human' || nextStepIsEnd(deps, state)) return superviseStage(stage, state, step, deps);
  const round = stage.kind === 'planner' ? state.round + 1 : state.round;
  return deps.telemetry.turn({ runId: deps.runId, role: stage.name, kind: stage.kind, round, ...(step ? { stepId: step.id } : {}) }, () => superviseStage(stage, state, step, deps));
}

async function superviseStage(stage: Stage, state: RunStateValue, step: PlanStep | undefined, deps: SupervisorDeps): Promise<TurnOutcome> {
  if (nextStepIsEnd(deps, state)) return decided(stage, state, {}, deps);
  if (stage.kind === 'human') return superviseHumanGate(stage, state, deps);
  if (stage.kind === 'action') return superviseAction(stage, state, deps);
  const key = turnKeyOf(stage, state, step);
  const replayed = await replayedTurn(stage, state, key, deps);
  if (replayed) return replayed;
  const context = deps.contextFor(stage, state);
  const keyText = turnKeyText(key);
  if (deps.connectors) context.operationTools = operationToolsFor(stage, state, keyText, context, deps);
  const run = async (): Promise<TurnOutcome> => {
    if (deps.abortReason() === 'lease-lost') throw new CancelledError('another process took the run');
    const abortStatus = statusOnAbort(deps);
    if (abortStatus) return decided(stage, state, { status: abortStatus }, deps);
    const startedAt = deps.clock().toISOString();
    const started = deps.now();
    const round = key.round;
    deps.onEvent?.({ type: 'turn-start', role: stage.name, kind: stage.kind, model: context.model.id, round, ...(step ? { stepId: step.id } : {}) });
    const needsDraft = stage.kind === 'checker' || (stage.kind === 'generic' && stage.role.config.writes === 'draft');
    const prepared = needsDraft && state.plan ? ensureDraft(state) : undefined;
    const base: Omit<NewTurn, 'to' | 'messages' | 'output' | 'toolCalls' | 'usage' | 'costUsd' | 'attempts' | 'events' | 'latencyMs' | 'model'> = {
      runId: deps.runId,
      round,
      from: stage.name,
      role: stage.name,
      kind: stage.kind,
      ...(step ? { stepId: step.id } : {}),
      startedAt,
    };
    let outcome: RoleOutcome;
    try {
      outcome = await runRole(stage, state, step, context, prepared?.draft);
    } catch (error) {
      // A tool call waits for a person (LangGraph's interrupt): the run parks, and this turn runs again on the decision.
      if (isGraphInterrupt(error)) throw error;
      // Another process holds the run now: it runs this turn again; recording it here would end the run for it.
      if (deps.abortReason() === 'lease-lost') throw error;
      const status: RunStatus = statusOnAbort(deps) ?? (error instanceof BudgetExceededError || error instanceof DeadlineExceededError ? 'budget_exceeded' : 'failed');
      const info = error instanceof BatonError ? error.toJSON() : { code: 'INTERNAL', message: errorMessage(error) };
      // The calls made before the failure were sent, answered and billed: the turn keeps them and the run counts them.
      const partial = partialCallOf(error);
      const model = context.meter.model ?? partial?.model ?? context.model.id;
      const usage = partial?.usage ?? { inputTokens: 0, outputTokens: 0, totalTokens: 0, estimated: true };
      const calls = partial?.attempts ?? 0;
      // A planner that fails has still started its round: the run's round count includes it (the plan stays the last one).
      const roundStarted: RunStateUpdate = stage.kind === 'planner' ? { round } : {};
      const spent: UsageEntry[] =
        calls > 0 || context.meter.costUsd > 0
          ? [{ role: stage.name, model, calls, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, costUsd: context.meter.costUsd, estimated: usage.estimated }]
          : [];
      const failedUpdate: RunStateUpdate = { ...roundStarted, status, error: { ...info, role: stage.name }, turnKeys: [keyText], ...(spent.length ? { usage: spent } : {}) };
      const recorded = await deps.store.recordTurn({
        ...base,
        to: ['user'],
        model,
        latencyMs: deps.now() - started,
        messages: toMessageRecords(partial?.messages ?? []),
        output: null,
        toolCalls: partial?.toolCalls ?? [],
        usage,
        costUsd: context.meter.costUsd,
        attempts: calls,
        events: [...context.meter.events, ...(partial?.events ?? [])].sort((left, right) => left.at - right.at),
        error: info,
      }, { key, stateUpdate: failedUpdate, owner: deps.owner });
      deps.onEvent?.({ type: 'turn-end', role: stage.name, seq: recorded.turn.seq });
      // Another holder recorded this turn first: the transcript's version is the run's.
      return decided(stage, state, recorded.existed ? (recorded.stateUpdate as RunStateUpdate) : failedUpdate, deps);
    }
    // What a role produced is redacted before it enters the state (and so the checkpoints and the next prompts): a
    // role that was shown a secret, or that transformed one, cannot pass it on.
    outcome = redactOutcome(outcome, deps.store.redact);
    const usage = outcome.call.usage;
    const costUsd = context.meter.costUsd;
    const usageEntry: UsageEntry = {
      role: stage.name,
      model: outcome.call.model,
      calls: outcome.call.attempts,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      costUsd,
      estimated: usage.estimated,
    };
    // Pages this turn fetched join the state, so a checker in another process (after a resume) reads the same text.
    // Headed by what it is, so a claim naming the role's findings can quote the heading like a record's name.
    if (stage.kind === 'generic' && stage.role.config.output) context.sourceCache.set(roleSource(stage.name), `${stage.name} findings${stage.role.config.description ? `: ${stage.role.config.description}` : ''}\n${recordText(outcome.output)}`);
    const fetched = newlyFetched(context.sourceCache, state.fetched, deps.store.redact);
    const roleRead = stage.kind === 'generic' && stage.role.config.output ? [roleSource(stage.name)] : [];
    // A call that carried personal or confidential data taints the run: later calls stay on private models.
    const sawConfidential = [...context.meter.events, ...outcome.call.events].some((event) => event.type === 'route' && ((event as { confidential?: { detectors?: readonly string[] } }).confidential?.detectors?.length ?? 0) > 0);
    const flagged = flaggedSources([...context.meter.events, ...outcome.call.events]);
    const update: RunStateUpdate = {
      usage: [usageEntry],
      turnKeys: [keyText],
      ...(flagged.length ? { flagged } : {}),
      ...(sawConfidential && !state.tainted ? { tainted: true } : {}),
      ...(fetched ? { fetched } : {}),
      ...(outcome.round !== undefined ? { round: outcome.round } : {}),
      ...(outcome.plan ? { plan: outcome.plan } : {}),
      ...(outcome.finding ? { findings: [outcome.finding] } : {}),
      ...(outcome.sourcesRead?.length || roleRead.length ? { sourcesRead: [...(outcome.sourcesRead ?? []), ...roleRead] } : {}),
      ...(outcome.verdict ? { verdicts: [outcome.verdict] } : {}),
      // A generic role's structured output is what action stages map their input from (`outputs.<role>`), and,
      // when the role declares an output schema (an inspector's findings), a source later claims may cite
      // (`role:<name>`), checked like any quote.
      ...(stage.kind === 'generic' ? { outputs: { [stage.name]: outcome.output } } : {}),
      ...(outcome.draft ? { draft: outcome.draft } : prepared?.composed ? { draft: prepared.draft } : {}),
    };
    const projected = project(state, update);
    const next = nextStep(deps.stages, stage, projected, deps.stops);
    const to = stage.kind === 'researcher' && next.type !== 'end' ? [deps.stages[stage.index + 1]?.name ?? 'user'] : destinations(next);
    if (next.type === 'end' && stage.kind !== 'researcher') update.status = next.status;
    else if (next.type === 'end' && next.status !== 'approved') update.status = next.status;
    update.messages = to.map((target) => ({ from: stage.name, to: target, round, content: outcome.summary }));
    // Checked again after the role: a holder whose lease passed on while it waited for the model stops here.
    if (deps.abortReason() === 'lease-lost') throw new CancelledError('another process took the run');
    const recorded = await deps.store.recordTurn({
      ...base,
      to,
      model: outcome.call.model,
      latencyMs: deps.now() - started,
      messages: toMessageRecords(outcome.call.messages),
      output: outcome.output,
      toolCalls: [...outcome.toolCalls, ...outcome.call.toolCalls],
      usage,
      costUsd,
      attempts: outcome.call.attempts,
      events: [...context.meter.events, ...outcome.call.events].sort((left, right) => left.at - right.at),
    }, { key, stateUpdate: update, owner: deps.owner });
    deps.onEvent?.({ type: 'turn-end', role: stage.name, seq: recorded.turn.seq });
    // Another holder recorded this turn first (its lease had passed to it): the transcript's version is the run's.
    if (recorded.existed) return decided(stage, state, recorded.stateUpdate as RunStateUpdate, deps);
    return { update, next, state: { ...projected, status: update.status ? reduceStatus(projected.status, update.status as RunStatus) : projected.status } };
  };
  return stage.kind === 'researcher' ? deps.limiterFor(stage)(run) : run();
}

/** The outcome with every value that enters the state or the next role's prompt redacted. */
function redactOutcome(outcome: RoleOutcome, redact: Redactor): RoleOutcome {
  const { plan, finding, verdict, draft, summary, output } = outcome;
  const redacted = redactDeep({ plan, finding, verdict, draft, summary, output }, redact);
  if (redacted.plan === plan && redacted.finding === finding && redacted.verdict === verdict && redacted.draft === draft && redacted.summary === summary && redacted.output === output) return outcome;
  return {
    ...outcome,
    output: redacted.output,
    summary: redacted.summary,
    ...(redacted.plan ? { plan: redacted.plan } : {}),
    ...(redacted.finding ? { finding: markRedactedQuotes(finding!, redacted.finding) } : {}),
    ...(redacted.verdict ? { verdict: redacted.verdict } : {}),
    ...(redacted.draft ? { draft: redacted.draft } : {}),
  };
}

/**
 * A quote that redaction changed says so: each such citation names the detectors that changed it, so the answer shows
 * the quote as partly redacted (the checker matches its markers against the source as read).
 */
function markRedactedQuotes(original: Finding, redacted: Finding): Finding {
  return {
    ...redacted,
    claims: redacted.claims.map((claim, claimIndex) => ({
      ...claim,
      citations: claim.citations.map((citation, citationIndex) => {
        const kinds = addedRedactions(original.claims[claimIndex]?.citations[citationIndex]?.quote ?? '', citation.quote);
        return kinds.length ? { ...citation, redacted: [...new Set([...(citation.redacted ?? []), ...kinds])] } : citation;
      }),
    })),
  };
}

function nextStepIsEnd(deps: SupervisorDeps, state: RunStateValue): boolean {
  return deps.stops.some((stop) => stop(state) !== undefined);
}

function statusOnAbort(deps: SupervisorDeps): RunStatus | undefined {
  const reason = deps.abortReason();
  if (reason === 'cancelled') return 'cancelled';
  if (reason === 'deadline') return 'budget_exceeded';
  return undefined;
}
