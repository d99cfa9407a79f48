/**
 * Cost accounting: dollars from token usage and per-million prices, and a ledger that sums usage per role, per model
 * and per run. Totals are marked `estimated` as soon as any part of them was estimated rather than reported.
 */
import { z } from 'zod';
import type { ModelSpec, Pricing } from '../config/models.js';
import type { Usage } from '../models/types.js';

const MILLION = 1_000_000;

/** Dollars of one call from its usage and the model's per-million-token prices. */
export function costOf(usage: Pick<Usage, 'inputTokens' | 'outputTokens'>, pricing: Pricing): number {
  return (usage.inputTokens * pricing.inputPerMillion + usage.outputTokens * pricing.outputPerMillion) / MILLION;
}

/** Estimated dollars of a call on `model` before it is made. */
export function estimateCallCost(model: Pick<ModelSpec, 'pricing'>, inputTokens: number, expectedOutputTokens: number): number {
  return costOf({ inputTokens: Math.max(0, inputTokens), outputTokens: Math.max(0, expectedOutputTokens) }, model.pricing);
}

/** Summed usage and cost of a group of calls. */
export const UsageTotals = z
  .object({
    calls: z.number().int().nonnegative(),
    inputTokens: z.number().int().nonnegative(),
    outputTokens: z.number().int().nonnegative(),
    totalTokens: z.number().int().nonnegative(),
    costUsd: z.number().nonnegative(),
    /** True when any call in the group had estimated (not reported) usage. */
    estimated: z.boolean(),
  })
  .strict();
export type UsageTotals = z.infer<typeof UsageTotals>;

/** A ledger as plain data, for the transcript and for resuming a run. */
export const LedgerSnapshot = z
  .object({
    run: UsageTotals,
    byRole: z.record(z.string(), UsageTotals),
    byModel: z.record(z.string(), UsageTotals),
  })
  .strict();
export type LedgerSnapshot = z.infer<typeof LedgerSnapshot>;

/** One call to record in a {@link UsageLedger}. */
export interface LedgerEntry {
  role: string;
  /** The model's configured name. */
  model: string;
  usage: Usage;
  /** Prices used to compute the cost; omit when passing `costUsd`. */
  pricing?: Pricing;
  /** A cost already computed (e.g. reported by a provider); wins over `pricing`. */
  costUsd?: number;
}

function emptyTotals(): UsageTotals {
  return { calls: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, costUsd: 0, estimated: false };
}

function addInto(totals: UsageTotals, usage: Usage, costUsd: number): void {
  totals.calls += 1;
  totals.inputTokens += usage.inputTokens;
  totals.outputTokens += usage.outputTokens;
  totals.totalTokens += usage.totalTokens;
  totals.costUsd += costUsd;
  totals.estimated ||= usage.estimated;
}

function mergeInto(totals: UsageTotals, other: UsageTotals): void {
  totals.calls += other.calls;
  totals.inputTokens += other.inputTokens;
  totals.outputTokens += other.outputTokens;
  totals.totalTokens += other.totalTokens;
  totals.costUsd += other.costUsd;
  totals.estimated ||= other.estimated;
}

/** Sums tokens and dollars per role, per model and for the whole run. */
export class UsageLedger {
  private readonly run: UsageTotals = emptyTotals();
  // Maps, not objects: role and model names come from user files and must not collide with prototype keys.
  private readonly roles = new Map<string, UsageTotals>();
  private readonly models = new Map<string, UsageTotals>();

  /** A ledger continuing from a saved snapshot (for resumed runs). */
  static fromSnapshot(snapshot: LedgerSnapshot): UsageLedger {
    const ledger = new UsageLedger();
    mergeInto(ledger.run, snapshot.run);
    for (const [role, totals] of Object.entries(snapshot.byRole)) ledger.roles.set(role, { ...totals });
    for (const [model, totals] of Object.entries(snapshot.byModel)) ledger.models.set(model, { ...totals });
    return ledger;
  }

  /** Records one call and returns its cost in dollars. */
  record(entry: LedgerEntry): number {
    const costUsd = entry.costUsd ?? (entry.pricing ? costOf(entry.usage, entry.pricing) : 0);
    addInto(this.run, entry.usage, costUsd);
    addInto(this.totalsFor(this.roles, entry.role), entry.usage, costUsd);
    addInto(this.totalsFor(this.models, entry.model), entry.usage, costUsd);
    return costUsd;
  }

  /** Dollars spent so far in the run. */
  get spentUsd(): number {
    return this.run.costUsd;
  }

  /** Totals of the whole run (a copy). */
  totals(): UsageTotals {
    return { ...this.run };
  }

  /** Everything as plain JSON-serialisable data (copies; later records do not change it). */
  snapshot(): LedgerSnapshot {
    const copy = (map: Map<string, UsageTotals>): Record<string, UsageTotals> =>
      Object.fromEntries([...map].map(([key, totals]) => [key, { ...totals }]));
    return { run: { ...this.run }, byRole: copy(this.roles), byModel: copy(this.models) };
  }

  private totalsFor(map: Map<string, UsageTotals>, key: string): UsageTotals {
    let totals = map.get(key);
    if (!totals) {
      totals = emptyTotals();
      map.set(key, totals);
    }
    return totals;
  }
}

/**
 * Whether spending `nextEstimateUsd` more would take the run past `budgetUsd`. No budget means never. Spending
 * exactly the budget is allowed.
 */
export function wouldExceedBudget(
  ledger: UsageLedger | LedgerSnapshot,
  nextEstimateUsd: number,
  budgetUsd: number | undefined,
): boolean {
  if (budgetUsd === undefined) return false;
  const spent = ledger instanceof UsageLedger ? ledger.spentUsd : ledger.run.costUsd;
  // A tolerance of a nano-dollar keeps float sums such as 0.1 + 0.2 from tripping a budget of exactly 0.3.
  return spent + Math.max(0, nextEstimateUsd) > budgetUsd + 1e-9;
}
