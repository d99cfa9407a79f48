/** Terminal formatting for runs and turns. Only the CLI prints. */
import type { RunRecord, TurnRecord } from '../transcript/schema.js';
import { terminalLine } from './terminal-text.js';
import { checkerHeadline } from './verdict-view.js';

export function formatDuration(milliseconds: number | null): string {
  if (milliseconds === null) return '-';
  if (milliseconds < 1000) return `${Math.round(milliseconds)} ms`;
  if (milliseconds < 60_000) return `${(milliseconds / 1000).toFixed(1)} s`;
  return `${Math.floor(milliseconds / 60_000)} min ${Math.round((milliseconds % 60_000) / 1000)} s`;
}

export function formatCost(costUsd: number, estimated = false): string {
  return `${estimated ? '~' : ''}$${costUsd.toFixed(costUsd > 0 && costUsd < 0.01 ? 5 : 4)}`;
}

/** A one-line description of what a turn produced. */
export function turnHeadline(turn: TurnRecord): string {
  if (turn.error) return `error ${turn.error.code}: ${turn.error.message}`;
  const output = (turn.output ?? {}) as Record<string, unknown>;
  switch (turn.kind) {
    case 'planner': {
      const steps = (output['steps'] as Array<{ id: string; question: string }> | undefined) ?? [];
      return `plan: ${steps.length} step(s)`;
    }
    case 'researcher': {
      const claims = (output['claims'] as unknown[] | undefined) ?? [];
      return `${turn.stepId ?? ''}: ${claims.length} claim(s)`;
    }
    case 'checker':
      return checkerHeadline(turn.output);
    case 'supervisor':
      if (turn.from === 'user') return 'goal received';
      if (typeof output['awaiting'] === 'string') return `waiting for a person at "${output['awaiting']}" (baton pending)`;
      if (typeof output['decision'] === 'string') return `${output['decision']} by ${String(output['by'])} received for "${String(output['gate'])}"`;
      return `run ${String(output['status'] ?? '')}`;
    case 'human':
      return `${String(output['decision'])} by ${String(output['by'])}${typeof output['note'] === 'string' ? `: ${truncate(output['note'], 60)}` : ''}`;
    default:
      return typeof output['message'] === 'string' ? truncate(output['message'], 80) : 'done';
  }
}

/** The live progress line printed as each turn is recorded. */
export function progressLine(turn: TurnRecord): string {
  const tokens = turn.usage.totalTokens ? `${turn.usage.estimated ? '~' : ''}${turn.usage.totalTokens} tok` : '';
  return terminalLine(`  [round ${turn.round}] ${turn.from} → ${turn.to.join(', ')}  ${turn.model ?? ''}  ${formatDuration(turn.latencyMs)}  ${tokens}  ${turnHeadline(turn)}`.replace(/\s{3,}/g, '  '));
}

export function truncate(text: string, length: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length <= length ? flat : `${flat.slice(0, length - 1)}…`;
}

export function runRow(run: RunRecord): string[] {
  return [
    run.id,
    run.status,
    String(run.rounds),
    String(run.inputTokens + run.outputTokens),
    formatCost(run.costUsd, run.costEstimated),
    formatDuration(run.durationMs),
    run.startedAt.replace('T', ' ').slice(0, 19),
    truncate(run.goal, 50),
  ];
}

export function table(header: string[], body: string[][]): string {
  // A cell holds stored text (a goal, a file name): one line each, with control and bidi characters made visible.
  const rows = body.map((row) => row.map(terminalLine));
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

/** A warning naming the records a read skipped because they could not be read back. */
export function damagedWarning(records: ReadonlyArray<{ runId: string; seq?: number; reason: string }>): string {
  // Each reason names its record ("turn 2 of run …"); a reason that does not gets the name in front.
  const shown = records.slice(0, 5).map((record) => {
    const name = record.seq === undefined ? `run ${record.runId}` : `turn ${record.seq} of run ${record.runId}`;
    return `  ${record.reason.startsWith(name) ? record.reason : `${name}: ${record.reason}`}`;
  });
  const more = records.length > shown.length ? [`  … and ${records.length - shown.length} more`] : [];
  return `warning: ${records.length} record(s) could not be read and were skipped:\n${[...shown, ...more].join('\n')}\n`;
}
