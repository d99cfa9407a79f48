/**
 * An action stage: one connector operation called without a model, its input mapped from the run by the stage's
 * JSONata expression. The call goes through `invokeOperation`, so a side effect happens once whatever crashes, resumes
 * or failovers meet it, and pauses for a person when its operation asks for approval. Its result joins
 * `outputs.<stage>` (for later stages' mappings and prompts) and the run's sources: the whole result as
 * `connector.operation`, each record as `connector.operation#id`, so the checker verifies quoted values against it.
 */
import { interrupt, isGraphInterrupt } from '@langchain/langgraph';
import type { Stage } from '../config/load.js';
import { compileMapping, isMappingProblem, MappingFailure } from '../connectors/mapping.js';
import { createHash } from 'node:crypto';
import { CallCounter, canonicalJson, invokeOperation, type CallQuestion, type CallSite, type Invocation } from '../connectors/invoke.js';
import { ConnectorError } from '../connectors/errors.js';
import { BatonError, CancelledError, errorMessage, RunLeaseLostError, StoreUnavailableError } from '../errors.js';
import { turnKeyText, type Decision } from '../stores/port.js';
import type { GateQuestion } from './human-gate.js';
import { decided, destinations, replayedTurn, turnKeyOf, type SupervisorDeps, type TurnOutcome } from './node.js';
import { policeOf } from './turn-tools.js';
import { RunGuard } from '../guards/run-guard.js';
import { describeDetections, GuardError } from '../guards/errors.js';
import type { TurnEvent } from '../transcript/schema.js';
import type { RunStateUpdate, RunStateValue, RunStatus } from './state.js';

/** What an action's input mapping reads: the run as later stages see it (`runId`, `goal`, `round`, `plan`, `draft`, `outputs`). */
export function runView(state: RunStateValue): Record<string, unknown> {
  return { runId: state.runId, goal: state.goal, round: state.round, plan: state.plan, draft: state.draft?.text ?? null, outputs: state.outputs ?? {} };
}

/**
 * Whether the run has read content from outside since its start (an attachment, a fetched page, a tool result), or a
 * guard flagged a text it let through (a passage of the knowledge base that reads like instructions).
 */
export function hasReadOutside(state: RunStateValue, deps: Pick<SupervisorDeps, 'untrustedInput'>): boolean {
  return deps.untrustedInput || Object.keys(state.fetched ?? {}).length > 0 || (state.flagged?.length ?? 0) > 0;
}

/** The outside content a run has read, by source (records folded into their result), for an approval question. */
export function outsideSources(state: RunStateValue, deps: Pick<SupervisorDeps, 'untrustedInput'>, events: ReadonlyArray<{ type: string; action?: unknown; source?: unknown }> = []): string[] {
  const fetched = Object.keys(state.fetched ?? {}).filter((source) => !source.includes('#'));
  return [...new Set([...(deps.untrustedInput ? ['the run\'s attachments'] : []), ...fetched, ...(state.flagged ?? []), ...flaggedSources(events)])];
}

/**
 * The sources that make later side effects ask (`approval: untrusted`) though the run keeps no text of them: texts a
 * guard flagged and let through, and outside text a tool answered with that is no source (web search snippets, an
 * error quoting a system's reply), recorded as `outside-read` events.
 */
export function flaggedSources(events: ReadonlyArray<{ type: string; action?: unknown; source?: unknown }>): string[] {
  return [...new Set(events.filter((event) => ((event.type === 'guard' && event.action === 'flag') || event.type === 'outside-read') && typeof event.source === 'string').map((event) => event.source as string))];
}

/**
 * The gate a question is asked at, unique to what it asks: an approval names the operation and a hash of the exact
 * request; an outcome question names the ledger key and how many times the request was sent. A decision answers
 * only the gate it was made at.
 */
export function gateOf(stage: Stage, question: CallQuestion): string {
  if (question.kind === 'approve') return `${stage.name}/${question.operation}/approve/${createHash('sha256').update(canonicalJson(question.request)).digest('hex').slice(0, 12)}`;
  return `${stage.name}/${question.operation}/outcome/${(question.key ?? '').slice(-12)}/${question.attempts ?? 1}`;
}

/**
 * The `ask` of a call site inside a graph node: each question is a LangGraph interrupt. LangGraph hands a re-run node
 * the decisions it got before by the order of its interrupts, not by question; so a decision is taken only when it
 * was made at this question's gate (the runtime resumes with the gate in the value), and otherwise the question is
 * asked again: the run parks for it.
 */
export function askThroughInterrupt(stage: Stage, state: RunStateValue): CallSite['ask'] {
  return (question: CallQuestion): Decision => {
    const gate = gateOf(stage, question);
    const prompt = question.kind === 'approve' ? `Approve this call? ${question.target}. ${question.reason}.` : `${question.reason}.`;
    for (;;) {
      const decision = interrupt<GateQuestion, Decision & { gate?: string }>({ gate, review: 'call', prompt, subject: question, round: state.round });
      if (decision.gate === gate) return decision;
    }
  };
}

/** Most lines a result's source text holds (a result of 10,000 rows is cut; its records stay citable one by one). */
const MAX_SOURCE_LINES = 2000;

/**
 * A result as the text a claim quotes: one `field: value` line per value, nested fields by path (`items[0].price:
 * 24.5`). A model quotes `total: 129.9` or `date: 2024-02-11`, and the checker finds the value beside its field name,
 * so a quote cannot borrow a number from another field.
 */
export function recordText(value: unknown): string {
  const lines: string[] = [];
  const walk = (node: unknown, at: string): void => {
    if (lines.length >= MAX_SOURCE_LINES) return;
    if (Array.isArray(node)) {
      if (node.length === 0) lines.push(`${at || '(list)'}: (none)`);
      node.forEach((item, index) => walk(item, `${at}[${index}]`));
    } else if (node && typeof node === 'object') {
      const entries = Object.entries(node as Record<string, unknown>);
      if (entries.length === 0) lines.push(`${at || '(record)'}: (empty)`);
      for (const [key, child] of entries) walk(child, at ? `${at}.${key}` : key);
    } else {
      lines.push(`${at || 'value'}: ${node === null || node === undefined ? 'null' : String(node)}`);
    }
  };
  walk(value, '');
  return lines.join('\n');
}

/**
 * The sources a result adds: the whole result, and each record by id, as `field: value` text (redacted). A record's
 * text opens with what it is, in words (`order o-5001` for `crm.order#o-5001`), so a claim naming the record ("Order
 * o-5001 ...") can quote its name like a heading.
 */
export function resultSources(invocation: Invocation, redact: (text: string) => string): Record<string, string> {
  const operation = invocation.call.operation;
  const noun = operation.slice(operation.indexOf('.') + 1).replace(/[_-]+/g, ' ');
  const sources: Record<string, string> = { [operation]: redact(recordText(invocation.result.output)) };
  for (const record of invocation.result.records) sources[`${operation}#${record.id}`] = redact(`${noun} ${record.id}\n${recordText(record.value)}`);
  return sources;
}

/**
 * Screens an action's result with the run's guard: the note a role reads instead when the guard withholds it
 * (quarantine), undefined when it passes; a `block` throws GUARD_BLOCKED (the action fails).
 */
async function screenResult(guard: RunGuard | undefined, operation: string, invocation: Invocation, onEvent: (event: TurnEvent) => void, signal?: AbortSignal): Promise<string | undefined> {
  if (!guard?.enabled) return undefined;
  const screened = await guard.screen('tool', operation, JSON.stringify(invocation.result.output ?? null), signal);
  if (screened.event) onEvent(screened.event);
  // The message goes into the stage's output, which later roles read: the rules only, never the matched words.
  if (screened.action === 'block') throw new GuardError('GUARD_BLOCKED', `the result of ${operation} was refused: it carries instructions to an AI (${describeDetections(screened.event!, { excerpts: false })})`, screened.event!);
  return screened.action === 'quarantine' ? RunGuard.withheld(operation, screened.event!) : undefined;
}

export async function superviseAction(stage: Stage, state: RunStateValue, deps: SupervisorDeps): Promise<TurnOutcome> {
  const key = turnKeyOf(stage, state, undefined);
  const replayed = await replayedTurn(stage, state, key, deps);
  if (replayed) return replayed;
  const action = stage.action!;
  const startedAt = deps.clock().toISOString();
  const started = deps.now();
  deps.onEvent?.({ type: 'turn-start', role: stage.name, kind: stage.kind, model: action.call, round: state.round });
  let invocation: Invocation | undefined;
  let failure: { code: string; message: string; hint?: string } | undefined;
  let input: unknown = {};
  const events: TurnEvent[] = [];
  let withheld: string | undefined;
  try {
    if (!deps.connectors) throw new ConnectorError('CONNECTOR_UNKNOWN', `the action "${stage.name}" calls ${action.call}, and this runtime was opened without connectors`);
    if (action.input !== undefined) {
      const mapping = compileMapping(action.input);
      if (isMappingProblem(mapping)) throw new ConnectorError('CONNECTOR_INPUT_INVALID', `the input of action "${stage.name}" does not compile: ${mapping.message}`);
      input = (await mapping.evaluate(runView(state))) ?? {};
      input = JSON.parse(JSON.stringify(input));
    }
    const operation = await deps.connectors.operation(action.call);
    const site: CallSite = {
      runId: deps.runId,
      owner: deps.owner,
      turn: turnKeyText(key),
      store: deps.store,
      untrusted: () => hasReadOutside(state, deps),
      outsideSources: () => outsideSources(state, deps),
      ask: askThroughInterrupt(stage, state),
      signal: deps.signal,
      clock: deps.clock,
      onEvent: (event) => events.push(event),
      ...policeOf(deps, (event) => events.push(event)),
    };
    invocation = await invokeOperation(operation, input, site, new CallCounter());
    // What the system answered is outside text: screened before any role reads it (a withheld result is no source).
    withheld = await screenResult(deps.guardFor?.(state), action.call, invocation, (event) => events.push(event), deps.signal);
  } catch (error) {
    // A person must decide (LangGraph's interrupt), or the run was stopped: not this stage's failure.
    if (isGraphInterrupt(error)) throw error;
    if (deps.abortReason() === 'lease-lost') throw new CancelledError('another process took the run');
    // The store went away or another process holds the run: not the action's failure; the run resumes from here.
    if (error instanceof StoreUnavailableError || error instanceof RunLeaseLostError) throw error;
    // A result the guard refused is not used (the call itself happened and stays in the ledger).
    if (error instanceof GuardError) invocation = undefined;
    if (error instanceof MappingFailure) failure = { code: 'CONNECTOR_INPUT_INVALID', message: `the input of action "${stage.name}" failed: ${error.message}` };
    else if (error instanceof BatonError) failure = { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
    else failure = { code: 'INTERNAL', message: errorMessage(error) };
  }

  const redact = deps.store.redact;
  const update: RunStateUpdate = { turnKeys: [turnKeyText(key)] };
  if (invocation && withheld) update.outputs = { [stage.name]: JSON.parse(withheld) as unknown };
  else if (invocation) {
    const sources = resultSources(invocation, redact);
    update.outputs = { [stage.name]: invocation.result.output };
    update.fetched = sources;
    update.sourcesRead = Object.keys(sources);
    // A record holding personal data (a customer's address) taints the run, like a call that carried it.
    if (!state.tainted && deps.detect && Object.values(sources).some((text) => deps.detect!(text).length > 0)) update.tainted = true;
  } else {
    update.outputs = { [stage.name]: { error: failure } };
    if (action.onError === 'fail') {
      const status: RunStatus = deps.abortReason() === 'cancelled' ? 'cancelled' : failure?.code === 'EFFECT_REJECTED' ? 'unverified' : 'failed';
      update.status = status;
      update.error = { ...failure!, role: stage.name };
    }
  }
  const outcome = decided(stage, state, update, deps);
  if (outcome.next.type === 'end') update.status = outcome.next.status;
  const to = destinations(outcome.next);
  const summary = invocation ? `${action.call}: ${invocation.result.summary}${invocation.replayed ? ' (recorded earlier; not sent again)' : ''}` : `${action.call} failed: ${failure?.message}`;
  update.messages = to.map((target) => ({ from: stage.name, to: target, round: state.round, content: summary }));
  const recorded = await deps.store.recordTurn(
    {
      runId: deps.runId,
      round: state.round,
      from: stage.name,
      to,
      role: stage.name,
      kind: 'action',
      model: null,
      startedAt,
      latencyMs: deps.now() - started,
      messages: [{ role: 'user', content: invocation ? invocation.call.target : action.call }],
      output: invocation
        ? { operation: action.call, request: invocation.call.request, result: invocation.result.output, records: invocation.result.records.map((record) => `${action.call}#${record.id}`), replayed: invocation.replayed, ...(invocation.key ? { idempotencyKey: invocation.key } : {}) }
        : null,
      toolCalls: [{ name: action.call, arguments: input, resultSummary: invocation ? invocation.result.summary : 'failed', durationMs: deps.now() - started, ...(failure ? { error: failure.message } : {}) }],
      usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0, estimated: false },
      costUsd: 0,
      attempts: 0,
      events,
      ...(failure ? { error: failure } : {}),
    },
    { key, stateUpdate: update, owner: deps.owner },
  );
  deps.onEvent?.({ type: 'turn-end', role: stage.name, seq: recorded.turn.seq });
  return decided(stage, state, recorded.existed ? (recorded.stateUpdate as RunStateUpdate) : update, deps);
}
