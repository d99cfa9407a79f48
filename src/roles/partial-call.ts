/**
 * What a role's model calls produced before its turn failed. The calls were made, billed and maybe answered: the failed
 * turn's record must show them (every request, every reply, the usage, each validation problem) and the run's totals
 * must count them. The error that ends the turn stays the one that was thrown (its class and code decide the run's end
 * state), so the partial record travels beside it, looked up by the error object.
 */
import type { ChatMessage, Usage } from '../models/types.js';
import type { ToolCallRecord, TurnEvent } from '../transcript/schema.js';

/** The calls of a turn so far: the conversation, tool calls, summed usage, the number of model calls and their events. */
export interface PartialCall {
  messages: ChatMessage[];
  toolCalls: ToolCallRecord[];
  usage: Usage;
  /** Model calls made, the one that failed included. */
  attempts: number;
  /** The model of the last reply (`provider:model`), when there was one. */
  model: string | undefined;
  events: TurnEvent[];
}

// Keyed weakly by the thrown error: nothing outlives the error, and nothing is kept for errors no one looks at.
const carried = new WeakMap<object, PartialCall>();

/**
 * Attaches what the calls produced so far to the error that ends them; returns the error to rethrow. One error object
 * can end several turns at once (the run's deadline aborts every parallel researcher with the same reason), so an error
 * that already carries another turn's record is copied first (same class, same fields): each turn keeps its own.
 */
export function carryPartialCall(error: unknown, call: PartialCall): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const own = carried.has(error) ? (Object.create(Object.getPrototypeOf(error) as object, Object.getOwnPropertyDescriptors(error)) as object) : error;
  carried.set(own, call);
  return own;
}

/** What the calls produced before `error` was thrown, when a structured call recorded it. */
export function partialCallOf(error: unknown): PartialCall | undefined {
  return typeof error === 'object' && error !== null ? carried.get(error) : undefined;
}

/**
 * Adds tool calls a role made itself, before its model calls (the researcher's search), to the record `error` carries,
 * so a failed turn lists them as a successful one would. Returns the error, to rethrow.
 */
export function carryToolCalls(error: unknown, records: readonly ToolCallRecord[]): unknown {
  const partial = partialCallOf(error);
  if (partial && typeof error === 'object' && error !== null) carried.set(error, { ...partial, toolCalls: [...records, ...partial.toolCalls] });
  return error;
}
