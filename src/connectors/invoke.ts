/**
 * Calling an operation inside a run, exactly once. The same for every connector kind:
 *
 * 1. The input is validated and mapped into the exact request (`prepare`, no I/O).
 * 2. A read is sent as it is (retried inside the connector); reads are not recorded in the ledger.
 * 3. A side effect gets an idempotency key derived from the run, the calling turn, the operation, the request and how
 *    many times the same request was made before in that turn: the same on a retry, a resume and a failover.
 * 4. The ledger (`RunStore.beginEffect` … `finishEffect`) is consulted first:
 *    - `done`: the recorded result is returned and nothing is sent;
 *    - `failed` with a definitive error (a 4xx, a refused input): the recorded error is returned, nothing is sent;
 *    - `pending` (sent, outcome never recorded: the process died) or `failed` after transient errors: the outcome is
 *      unknown. Where the system honours the key (an `Idempotency-Key` header, a keyed SQL upsert) the request is sent
 *      again with the same key, and the system itself drops the duplicate. Otherwise a person is asked whether the
 *      effect happened (approve: it did, it is recorded done and not sent; reject: it did not, it is sent again).
 * 5. A new side effect that needs approval (`approval: always`, or `untrusted` once the run has read outside content)
 *    pauses the run at a gate showing the exact request; approve sends it, reject returns the reason to the caller
 *    (EFFECT_REJECTED), so a role can act on it.
 * 6. The intent is recorded `pending` before sending, the outcome after.
 */
import { createHash, randomUUID } from 'node:crypto';
import { BatonError, errorMessage } from '../errors.js';
import type { Decision, EffectRecord, RunStore } from '../stores/port.js';
import { ConnectorError } from './errors.js';
import type { CallResult, Operation, PreparedCall } from './types.js';
import type { TurnEvent } from '../transcript/schema.js';
import type { ApprovalEvent } from '../guards/types.js';

/** What a person is asked about a call: to approve it, or to say whether an unknown outcome happened. */
export interface CallQuestion {
  kind: 'approve' | 'confirm-outcome';
  operation: string;
  target: string;
  request: Record<string, unknown>;
  /** Why the person is asked (the approval policy, or the crash that left the outcome unknown). */
  reason: string;
  /** Set for `confirm-outcome`: the ledger key the answer settles, and how many times the request was sent. */
  key?: string;
  attempts?: number;
}

/** Where and how a call is made inside a run. */
export interface CallSite {
  runId: string;
  /** The lease holder, for the ledger's fencing. */
  owner: string;
  /** The calling turn's key text, or `action:<stage>@<round>/<attempt>` for an action stage. */
  turn: string;
  store: RunStore;
  /**
   * Whether the run has read content from outside (an attachment, a fetched page, a tool result) since its start:
   * asked at each call, so a page a model fetched a moment before in the same turn counts.
   */
  untrusted: () => boolean;
  /** What outside content the run has read, for the approval question (the run's taint, named). */
  outsideSources?: () => string[];
  /**
   * Asks a person and returns the decision. Inside the graph this is LangGraph's `interrupt`: the first time through
   * it parks the run; when the run resumes with the decision, the node runs again and it returns the decision.
   */
  ask: (question: CallQuestion) => Decision;
  signal?: AbortSignal;
  clock: () => Date;
  /** Records an event on the calling turn: a person's decision on a call (`approval`), an output-policy decision (`guard`). */
  onEvent?: (event: TurnEvent) => void;
  /**
   * The output policy on a side effect's payload: returns the call as it may be sent (redacted), or throws when a rule
   * blocks it. Applied before the idempotency key is derived, so the key is that of what is sent.
   */
  police?: (call: PreparedCall) => PreparedCall;
}

/** A call's outcome as the caller sees it. */
export interface Invocation {
  call: PreparedCall;
  result: CallResult;
  /** True when the result came from the ledger (the effect had already happened). */
  replayed: boolean;
  /** The idempotency key, for side effects. */
  key?: string;
}

/** JSON with sorted keys, so the same request always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as Record<string, unknown>)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * The idempotency key of a side effect: stable across retries, resume and failover (it depends on nothing the
 * process chose), distinct for distinct calls. `occurrence` counts the same request made before in the same turn, so
 * a role that deliberately sends the same message twice sends it twice.
 */
export function idempotencyKey(runId: string, turn: string, call: PreparedCall, occurrence: number): string {
  const digest = createHash('sha256').update(`${runId}\n${turn}\n${call.operation}\n${canonicalJson(call.request)}\n${occurrence}`).digest('hex');
  return `baton-${digest.slice(0, 40)}`;
}

function needsApproval(operation: Operation, site: CallSite): string | undefined {
  if (operation.approval === 'always') return `${operation.id} is configured with approval: always`;
  if (!operation.sideEffect) return undefined;
  if (operation.approval === 'untrusted' && site.untrusted()) {
    const sources = site.outsideSources?.() ?? [];
    const named = sources.length ? `: ${sources.slice(0, 5).join(', ')}${sources.length > 5 ? ` and ${sources.length - 5} more` : ''}` : ' (an e-mail, a page or a tool result)';
    return `${operation.id} changes something outside, and the run has read outside content that could have steered it${named} (approval: untrusted)`;
  }
  return undefined;
}

function rejection(decision: Decision, call: PreparedCall): ConnectorError {
  return new ConnectorError('EFFECT_REJECTED', `${decision.by} rejected the call ${call.target}: ${decision.note ?? 'no reason given'}; nothing was sent`, { operation: call.operation });
}

function recordedError(record: EffectRecord): ConnectorError {
  const error = record.error!;
  const code = (['CONNECTOR_REJECTED', 'CONNECTOR_INPUT_INVALID', 'CONNECTOR_RESPONSE_INVALID', 'CONNECTOR_UNAVAILABLE', 'EFFECT_REJECTED'] as const).find((known) => known === error.code) ?? 'CONNECTOR_REJECTED';
  return new ConnectorError(code, error.message, { operation: record.operation, retryable: error.retryable });
}

/**
 * Counts the identical requests a turn has completed, so the n-th identical request of a turn gets the n-th key. A
 * request that failed is not counted: asking for it again (a model retrying after a tool error) reuses its key, so a
 * system that honours keys drops the duplicate, and one that does not makes a person say whether it happened. One
 * counter per turn execution: a turn run again (resume) starts from zero and derives the same keys.
 */
export class CallCounter {
  private readonly done = new Map<string, number>();
  private static id(call: PreparedCall): string {
    return `${call.operation}\n${canonicalJson(call.request)}`;
  }
  /** How many identical requests completed before. */
  occurrence(call: PreparedCall): number {
    return this.done.get(CallCounter.id(call)) ?? 0;
  }
  /** One more identical request completed. */
  completed(call: PreparedCall): void {
    const id = CallCounter.id(call);
    this.done.set(id, (this.done.get(id) ?? 0) + 1);
  }
}

/** Calls an operation inside a run, exactly once for side effects (see the module comment). */
export async function invokeOperation(operation: Operation, input: unknown, site: CallSite, counter: CallCounter): Promise<Invocation> {
  const prepared = await operation.prepare(input);
  const call = operation.sideEffect && site.police ? site.police(prepared) : prepared;
  const reason = needsApproval(operation, site);
  if (!operation.sideEffect) {
    if (reason) await approve(call, reason, site);
    const result = await operation.execute(call, site.signal ? { signal: site.signal } : {});
    return { call, result, replayed: false };
  }
  const key = idempotencyKey(site.runId, site.turn, call, counter.occurrence(call));
  const invocation = await sideEffect(operation, call, key, reason, site);
  counter.completed(call);
  return invocation;
}

/** Asks a person to approve `call`; a rejection is EFFECT_REJECTED, nothing sent. */
async function approve(call: PreparedCall, reason: string, site: CallSite): Promise<void> {
  const decision = site.ask({ kind: 'approve', operation: call.operation, target: call.target, request: call.request, reason });
  audit(site, call.operation, 'call', decision, reason);
  if (decision.decision === 'reject') throw rejection(decision, call);
}

/** A person's decision on a call, as an event on the calling turn (listed by `baton audit`). */
function audit(site: CallSite, operation: string, question: ApprovalEvent['question'], decision: Decision, reason: string): void {
  const event: ApprovalEvent = { type: 'approval', at: site.clock().getTime(), operation, question, decision: decision.decision, by: decision.by, reason, ...(decision.note ? { note: decision.note } : {}) };
  site.onEvent?.(event);
}

async function sideEffect(operation: Operation, call: PreparedCall, key: string, reason: string | undefined, site: CallSite): Promise<Invocation> {
  const existing = await site.store.findEffect(key);
  if (existing) return settle(operation, call, key, existing, site);
  if (reason) await approve(call, reason, site);
  const begun = await site.store.beginEffect({ runId: site.runId, key, operation: operation.id, turn: site.turn, request: call, startedAt: site.clock().toISOString() }, site.owner);
  if (begun.existed) return settle(operation, call, key, begun.record, site);
  return send(operation, call, key, site, 1);
}

/** A call the ledger already knows: returned as recorded, sent again under its key, or put to a person. */
async function settle(operation: Operation, call: PreparedCall, key: string, record: EffectRecord, site: CallSite): Promise<Invocation> {
  if (record.status === 'done') return { call, result: record.result as CallResult, replayed: true, key };
  if (record.status === 'failed' && record.error && !record.error.retryable) throw recordedError(record);
  // The outcome is unknown: sent (or maybe sent) and never recorded as answered.
  if (!operation.honoursKey) {
    const decision = site.ask({
      kind: 'confirm-outcome',
      operation: operation.id,
      target: call.target,
      request: call.request,
      key,
      attempts: record.attempts,
      reason: `the outcome of ${call.target} is unknown: it was sent ${record.attempts} time${record.attempts === 1 ? '' : 's'} and no answer was recorded (${record.status === 'failed' ? record.error?.message : 'the process stopped while it waited'}), and ${operation.id} honours no idempotency key. Approve if the effect happened (it is not sent again); reject if it did not (it is sent again)`,
    });
    audit(site, operation.id, 'outcome', decision, `the outcome of ${call.target} was unknown`);
    if (decision.decision === 'approve') {
      const result: CallResult = { output: { confirmedBy: decision.by, note: decision.note ?? null }, records: [], summary: `confirmed done by ${decision.by}; not sent again` };
      const finished = await site.store.finishEffect(key, { status: 'done', result, resolvedBy: decision.by }, site.owner);
      return { call, result: finished.result as CallResult, replayed: true, key };
    }
  }
  const resent = await site.store.resendEffect(key, site.owner);
  return send(operation, call, key, site, resent.attempts);
}

/**
 * Sends under `key` and records the outcome. A failure that leaves the outcome unknown (the system could not be
 * reached, or did not answer in time, after the connector's retries) is recorded as such (`retryable`): a system that
 * honours keys gets the same key again on the next identical call; one that does not makes a person say whether the
 * effect happened, now.
 */
async function send(operation: Operation, call: PreparedCall, key: string, site: CallSite, attempts: number): Promise<Invocation> {
  let result: CallResult;
  try {
    result = await operation.execute(call, { idempotencyKey: key, ...(site.signal ? { signal: site.signal } : {}) });
  } catch (error) {
    // Aborted (cancelled, deadline, lease lost) while in flight: the outcome is unknown, the record stays pending.
    if (site.signal?.aborted) throw error;
    const unknown = error instanceof ConnectorError ? error.code === 'CONNECTOR_UNAVAILABLE' : !(error instanceof BatonError);
    const code = error instanceof BatonError ? error.code : 'CONNECTOR_UNAVAILABLE';
    const record = await site.store.finishEffect(key, { status: 'failed', error: { code, message: errorMessage(error), retryable: unknown } }, site.owner);
    if (unknown && !operation.honoursKey) return settle(operation, call, key, { ...record, attempts }, site);
    throw error;
  }
  await site.store.finishEffect(key, { status: 'done', result }, site.owner);
  return { call, result, replayed: false, key };
}

/**
 * Calls an operation outside any run (`baton tool`): no ledger. A side effect is sent with the given key, or a fresh
 * one, so a system that honours keys still drops a duplicate the retries may make.
 */
export async function invokeDirect(operation: Operation, input: unknown, options: { key?: string; signal?: AbortSignal } = {}): Promise<Invocation> {
  const call = await operation.prepare(input);
  const key = operation.sideEffect ? (options.key ?? `baton-manual-${randomUUID()}`) : undefined;
  const result = await operation.execute(call, { ...(key ? { idempotencyKey: key } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  return { call, result, replayed: false, ...(key ? { key } : {}) };
}
