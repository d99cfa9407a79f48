/**
 * Where a run's graph starts: from its goal (a fresh run, with the random seed of its guard keys), from its last
 * checkpoint, with the decision at the gate it waits at, or nowhere (it ended, or waits for a person); and the gate a
 * graph stopped at.
 */
import { randomBytes } from 'node:crypto';
import { Command } from '@langchain/langgraph';
import type { buildRunGraph } from '../graph/build.js';
import type { GateQuestion } from '../graph/human-gate.js';
import type { RunStateValue } from '../graph/state.js';
import type { Decision } from '../stores/port.js';
import type { RunRecord } from '../transcript/schema.js';
import type { RunDependencies } from './run.js';

export type Graph = ReturnType<typeof buildRunGraph>;
export type GraphConfig = Parameters<Graph['invoke']>[1];

/**
 * What to hand `graph.invoke`: the goal (a fresh run), null (continue), the decision at the gate it waits at, or
 * nothing: the graph had ended, or it waits at a gate nobody has decided yet (its process died before parking it).
 */
export async function graphInput(
  graph: Graph,
  config: GraphConfig,
  record: RunRecord,
  deps: RunDependencies,
): Promise<{ input: unknown } | { ended: RunStateValue } | { park: GateQuestion; state: RunStateValue }> {
  const snapshot = await graph.getState(config!);
  const values = snapshot.values as Partial<RunStateValue> | undefined;
  // No checkpoint yet: the run never got past its start. The graph (and so every model, role output and checkpoint)
  // sees the goal as it was recorded: redacted.
  if (!values || values.runId === undefined) return { input: freshInput(record) };
  const pending = snapshot.tasks.flatMap((task) => task.interrupts).find((entry) => Boolean(entry.value));
  const question = pending?.value as GateQuestion | undefined;
  if (pending && question) {
    // Only a decision on this very question (this gate, this round) answers it; an older one never does. It is
    // addressed to this interrupt alone (several tasks may wait at once), and carries its gate, so a node that asks
    // several questions takes each decision for the question it was made on.
    const last = (await deps.store.gates(record.id)).at(-1);
    if (last?.decision && last.gate === question.gate && last.round === question.round) {
      const answer: Decision & { gate: string } = { ...last.decision, gate: last.gate };
      return { input: new Command({ resume: pending.id ? { [pending.id]: answer } : answer }) };
    }
    return { park: question, state: values as RunStateValue };
  }
  // The graph ended only when its last checkpoint schedules no task at all. `snapshot.next` is not that test: it
  // leaves out the tasks whose writes were saved before the process died (a planner that finished, its next
  // checkpoint not yet written), and `values` already shows their writes. Invoking again applies those writes and
  // runs what they schedule.
  if (snapshot.tasks.length > 0) return { input: null };
  return { ended: values as RunStateValue };
}

/** A fresh run's graph input: its goal, and the random seed of its guard keys (spotlighting boundary, canary). */
export function freshInput(record: RunRecord): { runId: string; goal: string; guardSeed: string } {
  return { runId: record.id, goal: record.goal, guardSeed: randomBytes(16).toString('hex') };
}

const FINAL: ReadonlySet<string> = new Set(['failed', 'cancelled', 'budget_exceeded', 'unverified']);

/**
 * The question of the human gate the graph stopped at, if it did; or, when another task of the same step ended the
 * run meanwhile (a parallel member failed while its sibling asks for an approval), that end: the run is not parked to
 * ask a person about a run that is already over.
 */
export async function pendingGate(graph: Graph, config: GraphConfig): Promise<{ question?: GateQuestion; stopped?: Pick<RunStateValue, 'status' | 'error'> }> {
  const snapshot = await graph.getState(config!);
  const question = snapshot.tasks.map((task) => task.interrupts[0]?.value as GateQuestion | undefined).find(Boolean);
  if (!question) return {};
  for (const task of snapshot.tasks) {
    const written = task.result as Partial<RunStateValue> | undefined;
    if (written?.status && FINAL.has(written.status)) return { stopped: { status: written.status, error: written.error ?? null } };
  }
  return { question };
}

