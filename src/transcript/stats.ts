/**
 * Usage statistics over a time window, computed from the recorded runs and their turns: cost per run, role and model,
 * model usage over time, approval rate, rounds per run, routing decisions and guard events. Pure: it reads the records
 * it is given, so it is tested without a server and degrades to empty lists when turns carry no routing or guard events.
 */
import type { RunRecord, TurnEvent, TurnRecord } from './schema.js';
import type { DamagedRecord } from '../stores/port.js';

export interface RunCost {
  runId: string;
  goal: string;
  status: RunRecord['status'];
  startedAt: string;
  costUsd: number;
  tokens: number;
  durationMs: number | null;
  rounds: number;
}

export interface GroupCost {
  name: string;
  costUsd: number;
  /** Turns that called a model. */
  calls: number;
  inputTokens: number;
  outputTokens: number;
}

/** A turn event worth listing on its own (a routing decision, a guard event), with where it happened. */
export interface LocatedEvent {
  runId: string;
  seq: number;
  role: string;
  event: TurnEvent;
}

export interface StatsReport {
  window: { since: string | null; until: string | null };
  runs: { total: number; byStatus: Record<string, number>; truncated: boolean };
  cost: { totalUsd: number; estimated: boolean; perRun: RunCost[]; perKind: GroupCost[]; perRole: GroupCost[]; perModel: GroupCost[] };
  modelUsage: {
    counts: Array<{ model: string; calls: number }>;
    overTime: { bucket: 'hour' | 'day'; series: Array<{ start: string; counts: Record<string, number> }> };
  };
  /** Approved runs over runs that ended; null when none ended. */
  approvalRate: number | null;
  /** Approving verdicts over all checker verdicts; null when there were none. */
  checkerApprovalRate: number | null;
  rounds: { mean: number | null; max: number; histogram: Record<string, number> };
  routing: { decisions: number; byModel: Array<{ model: string; count: number }>; recent: LocatedEvent[] };
  guardEvents: LocatedEvent[];
  /** Records that could not be read and were left out of every figure above: how many, and which (at most 20). */
  damaged: { count: number; records: DamagedRecord[] };
}

export interface StatsInput {
  runs: readonly RunRecord[];
  turnsOf: (runId: string) => readonly TurnRecord[];
  since?: string;
  until?: string;
  /** True when more runs matched than were read. */
  truncated?: boolean;
  /** Records skipped while reading (filled by the reader, also while `turnsOf` is called). */
  damaged?: readonly DamagedRecord[];
  /** Routing decisions listed in `routing.recent` (the counts cover all). */
  recentRoutes?: number;
}

const HOUR_MS = 3_600_000;

/** The run's `--kind` label, or `(unlabelled)`. */
function kindOf(run: RunRecord): string {
  const tags = run.labels['tags'];
  const kind = tags && typeof tags === 'object' ? (tags as Record<string, unknown>)['kind'] : undefined;
  return typeof kind === 'string' && kind ? kind : '(unlabelled)';
}

export function computeStats(input: StatsInput): StatsReport {
  const byStatus: Record<string, number> = {};
  const perRun: RunCost[] = [];
  const perRole = new Map<string, GroupCost>();
  // The kind of goal is the caller's `--kind` label; unlabelled runs are grouped together.
  const perKind = new Map<string, GroupCost>();
  const perModel = new Map<string, GroupCost>();
  const usageTimes: Array<{ at: number; model: string }> = [];
  const routes: LocatedEvent[] = [];
  const guardEvents: LocatedEvent[] = [];
  let estimated = false;
  let verdicts = 0;
  let approvals = 0;

  for (const run of input.runs) {
    byStatus[run.status] = (byStatus[run.status] ?? 0) + 1;
    estimated ||= run.costEstimated;
    let runCost = 0;
    let runTokens = 0;
    for (const turn of input.turnsOf(run.id)) {
      runCost += turn.costUsd;
      runTokens += turn.usage.totalTokens;
      estimated ||= turn.usage.estimated && turn.model !== null;
      if (turn.model !== null) {
        addTo(perRole, turn.role, turn);
        addTo(perModel, turn.model, turn);
        const at = Date.parse(turn.startedAt);
        if (!Number.isNaN(at)) usageTimes.push({ at, model: turn.model });
      }
      const decision = checkerDecision(turn);
      if (decision) {
        verdicts += 1;
        if (decision === 'approve') approvals += 1;
      }
      for (const event of turn.events) {
        if (event.type === 'route') routes.push({ runId: run.id, seq: turn.seq, role: turn.role, event });
        else if (event.type.startsWith('guard')) guardEvents.push({ runId: run.id, seq: turn.seq, role: turn.role, event });
      }
    }
    const kind = kindOf(run);
    const kindTotals = perKind.get(kind) ?? { name: kind, costUsd: 0, calls: 0, inputTokens: 0, outputTokens: 0 };
    kindTotals.costUsd += runCost;
    kindTotals.calls += 1;
    kindTotals.inputTokens += run.inputTokens;
    kindTotals.outputTokens += run.outputTokens;
    perKind.set(kind, kindTotals);
    perRun.push({ runId: run.id, goal: run.goal, status: run.status, startedAt: run.startedAt, costUsd: round(runCost), tokens: runTokens, durationMs: run.durationMs, rounds: run.rounds });
  }

  perRun.sort((left, right) => left.startedAt.localeCompare(right.startedAt));
  const ended = input.runs.filter((run) => run.status !== 'running');
  const approved = ended.filter((run) => run.status === 'approved').length;
  const roundsHistogram: Record<string, number> = {};
  for (const run of ended) roundsHistogram[String(run.rounds)] = (roundsHistogram[String(run.rounds)] ?? 0) + 1;
  const routeCounts = new Map<string, number>();
  for (const route of routes) {
    const chosen = typeof route.event['chosen'] === 'string' ? route.event['chosen'] : typeof route.event['model'] === 'string' ? route.event['model'] : 'unknown';
    routeCounts.set(chosen, (routeCounts.get(chosen) ?? 0) + 1);
  }

  return {
    window: { since: input.since ?? null, until: input.until ?? null },
    runs: { total: input.runs.length, byStatus, truncated: input.truncated ?? false },
    cost: {
      totalUsd: round(perRun.reduce((sum, run) => sum + run.costUsd, 0)),
      estimated,
      perRun,
      perKind: sortedGroups(perKind),
      perRole: sortedGroups(perRole),
      perModel: sortedGroups(perModel),
    },
    modelUsage: {
      counts: sortedGroups(perModel).map((group) => ({ model: group.name, calls: group.calls })),
      overTime: usageOverTime(usageTimes),
    },
    approvalRate: ended.length ? approved / ended.length : null,
    checkerApprovalRate: verdicts ? approvals / verdicts : null,
    rounds: {
      mean: ended.length ? ended.reduce((sum, run) => sum + run.rounds, 0) / ended.length : null,
      max: ended.reduce((max, run) => Math.max(max, run.rounds), 0),
      histogram: roundsHistogram,
    },
    routing: {
      decisions: routes.length,
      byModel: [...routeCounts].map(([model, count]) => ({ model, count })).sort((left, right) => right.count - left.count),
      recent: routes.slice(-(input.recentRoutes ?? 50)),
    },
    guardEvents,
    damaged: { count: input.damaged?.length ?? 0, records: (input.damaged ?? []).slice(0, 20) },
  };
}

function addTo(groups: Map<string, GroupCost>, name: string, turn: TurnRecord): void {
  let group = groups.get(name);
  if (!group) groups.set(name, (group = { name, costUsd: 0, calls: 0, inputTokens: 0, outputTokens: 0 }));
  group.costUsd += turn.costUsd;
  group.calls += 1;
  group.inputTokens += turn.usage.inputTokens;
  group.outputTokens += turn.usage.outputTokens;
}

function sortedGroups(groups: Map<string, GroupCost>): GroupCost[] {
  return [...groups.values()].map((group) => ({ ...group, costUsd: round(group.costUsd) })).sort((left, right) => right.costUsd - left.costUsd || right.calls - left.calls);
}

/** A checker turn's decision, read defensively: older or custom roles may record other shapes. */
function checkerDecision(turn: TurnRecord): 'approve' | 'reject' | undefined {
  if (turn.kind !== 'checker' || typeof turn.output !== 'object' || turn.output === null) return undefined;
  const decision = (turn.output as { decision?: unknown }).decision;
  return decision === 'approve' || decision === 'reject' ? decision : undefined;
}

/** Model calls per hour (spans up to two days) or per day, with empty buckets filled so charts keep a true time axis. */
function usageOverTime(times: ReadonlyArray<{ at: number; model: string }>): StatsReport['modelUsage']['overTime'] {
  if (times.length === 0) return { bucket: 'hour', series: [] };
  // A loop, not Math.min(...spread): a long window can hold more calls than the argument limit.
  let first = Infinity;
  let last = -Infinity;
  for (const entry of times) {
    first = Math.min(first, entry.at);
    last = Math.max(last, entry.at);
  }
  const bucket = last - first <= 48 * HOUR_MS ? 'hour' : 'day';
  const size = bucket === 'hour' ? HOUR_MS : 24 * HOUR_MS;
  const start = Math.floor(first / size) * size;
  const count = Math.min(Math.floor((last - start) / size) + 1, 400);
  const series = Array.from({ length: count }, (_, index) => ({ start: new Date(start + index * size).toISOString(), counts: {} as Record<string, number> }));
  for (const entry of times) {
    const slot = series[Math.min(Math.floor((entry.at - start) / size), count - 1)];
    if (slot) slot.counts[entry.model] = (slot.counts[entry.model] ?? 0) + 1;
  }
  return { bucket, series };
}

/** Dollars to a millionth, so sums of many tiny costs stay readable. */
function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
