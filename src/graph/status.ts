/**
 * The end states of a run. Apart from the graph state so that what reads records (the transcript store, `baton runs`,
 * the API schemas) gets the enum without loading LangGraph.
 */
import { z } from 'zod';

/**
 * Where a run is. `queued`: accepted, waiting for a server or worker. `running`: a process holds its lease.
 * `interrupted`: its process died (the lease expired); it can be resumed. `awaiting_human`: parked at a human gate.
 * The rest are end states, decided by the supervisor or the runtime.
 */
export const RunStatus = z.enum(['queued', 'running', 'interrupted', 'awaiting_human', 'approved', 'unverified', 'budget_exceeded', 'failed', 'cancelled']);
export type RunStatus = z.infer<typeof RunStatus>;

/** The statuses a run ends in. */
export const END_STATUSES: ReadonlySet<RunStatus> = new Set(['approved', 'unverified', 'budget_exceeded', 'failed', 'cancelled']);

export function isEndStatus(status: RunStatus): boolean {
  return END_STATUSES.has(status);
}
