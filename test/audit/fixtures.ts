/**
 * Runs whose turns carry what the audit reads (guard events, approval events, human gate turns), malformed ones
 * among them, recorded into a run store with its own record methods, at times the tests choose.
 */
import type { RunStore } from '../../src/stores/port.js';
import type { NewTurn, RunRecord, TurnEvent } from '../../src/transcript/schema.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const OWNER = 'audit-test';

export const iso = (ms: number): string => new Date(ms).toISOString();

export function turn(runId: string, overrides: Partial<NewTurn> = {}): NewTurn {
  return {
    runId, round: 1, from: 'researcher', to: ['checker'], role: 'researcher', kind: 'researcher', model: 'offline:test', startedAt: iso(0), latencyMs: 1,
    messages: [], output: null, toolCalls: [], usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2, estimated: true }, costUsd: 0, attempts: 1, events: [], ...overrides,
  };
}

export function guard(at: number, surface: string, action: string, source: string, detections: Array<{ detector: string; rule: string; reason: string }>): TurnEvent {
  return { type: 'guard', at, surface, action, source, detections: detections.map((detection) => ({ score: 1, ...detection })) };
}

export function approval(at: number, operation: string, decision: 'approve' | 'reject', by: string, extra: Record<string, unknown> = {}): TurnEvent {
  return { type: 'approval', at, operation, question: 'call', decision, by, reason: `${operation} changes a customer record`, ...extra };
}

export function humanTurn(runId: string, decidedAt: number, decision: 'approve' | 'reject', by: string, note?: string): NewTurn {
  return turn(runId, {
    from: 'review', to: ['planner'], role: 'review', kind: 'human', model: null, startedAt: iso(decidedAt),
    output: { decision, by, decidedAt: iso(decidedAt), ...(note ? { note } : {}), review: 'draft' },
  });
}

/**
 * Records a run started at `startedAt` with `turns` after its opening turn; ended (approved) at `endedAt`, or still
 * running under a lease far ahead when `endedAt` is null.
 */
export async function recordRun(store: RunStore, id: string, startedAt: number, endedAt: number | null, turns: NewTurn[]): Promise<void> {
  const run: Omit<RunRecord, 'version'> = {
    id, goal: `goal of ${id}`, status: 'running', rounds: 1, startedAt: iso(startedAt), endedAt: null, durationMs: null, inputTokens: 0, outputTokens: 0,
    costUsd: 0, costEstimated: false, engine: 'offline', labels: {}, result: null, error: null,
  };
  const opening = turn(id, { from: 'user', to: ['supervisor'], role: 'supervisor', kind: 'supervisor', model: null, startedAt: iso(startedAt) });
  const record = await store.createRun(run, opening, { state: { status: 'running', lease: { owner: OWNER, expiresAt: Date.now() + DAY } } });
  for (const each of turns) await store.appendTurn(each);
  if (endedAt === null) return;
  const closing = turn(id, { from: 'supervisor', to: ['user'], role: 'supervisor', kind: 'supervisor', model: null, startedAt: iso(endedAt), output: { status: 'approved' } });
  await store.finishRun({ ...record, status: 'approved', endedAt: iso(endedAt), durationMs: endedAt - startedAt }, closing, OWNER);
}

/** What {@link recordAuditRuns} recorded, by run id. */
export const RUN_IDS = { a: 'run_audit_a', b: 'run_audit_b', old: 'run_audit_old', live: 'run_audit_live' } as const;

/**
 * Four runs around `base` (epoch ms):
 * - a (base .. base+1h): a quarantined tool result, a route event, a malformed guard event, a flagged model output, an
 *   approved call, and a rejected draft at a gate;
 * - b (base+2d .. base+2d+1h): a blocked goal, a malformed approval, a human turn with a malformed output;
 * - old (base-10d .. base-10d+1h): a redacted attachment;
 * - live (base-10d, still running): a flagged knowledge passage at base+3d.
 */
export async function recordAuditRuns(store: RunStore, base: number): Promise<void> {
  const { a, b, old, live } = RUN_IDS;
  await recordRun(store, a, base, base + HOUR, [
    turn(a, {
      startedAt: iso(base + 10 * MINUTE),
      events: [
        guard(base + 10 * MINUTE, 'tool', 'quarantine', 'https://evil.example/page', [
          { detector: 'heuristic', rule: 'ignore-previous', reason: 'asks to ignore previous instructions' },
          { detector: 'heuristic', rule: 'role-play', reason: 'tells the model to act as another system' },
        ]),
        { type: 'route', at: base + 10 * MINUTE, chosen: 'offline:test' },
        guard(base + 11 * MINUTE, 'nowhere', 'quarantine', 'x', []),
        guard(base + 12 * MINUTE, 'model-output', 'flag', 'researcher', [{ detector: 'canary', rule: 'canary', reason: 'the canary appeared in the reply' }]),
      ],
    }),
    turn(a, { role: 'act', kind: 'action', from: 'act', startedAt: iso(base + 20 * MINUTE), events: [approval(base + 20 * MINUTE, 'crm.refund', 'approve', 'ana', { note: 'checked the order' })] }),
    humanTurn(a, base + 30 * MINUTE, 'reject', 'bo', 'too vague'),
  ]);
  await recordRun(store, b, base + 2 * DAY, base + 2 * DAY + HOUR, [
    turn(b, {
      role: 'planner', kind: 'planner', from: 'planner',
      events: [guard(base + 2 * DAY + 5 * MINUTE, 'goal', 'block', 'goal', [{ detector: 'policy', rule: 'max-length', reason: 'the goal is longer than allowed' }]), { type: 'approval', at: base + 2 * DAY + 6 * MINUTE, operation: 'crm.refund' }],
    }),
    turn(b, { role: 'review', kind: 'human', from: 'review', model: null, output: { decision: 'maybe' } }),
  ]);
  await recordRun(store, old, base - 10 * DAY, base - 10 * DAY + HOUR, [
    turn(old, { events: [guard(base - 10 * DAY + MINUTE, 'attachment', 'redact', 'attachment:inquiry.eml', [{ detector: 'personal', rule: 'email', reason: 'an e-mail address' }])] }),
  ]);
  await recordRun(store, live, base - 10 * DAY, null, [
    turn(live, { events: [guard(base + 3 * DAY, 'knowledge', 'flag', 'docs/a.md', [{ detector: 'heuristic', rule: 'ignore-previous', reason: 'asks to ignore previous instructions' }])] }),
  ]);
}

export const TIMES = { MINUTE, HOUR, DAY };
