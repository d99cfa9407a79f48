/** `baton stats`: cost per run and per kind of goal, model usage and approval rate over a time window. */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { openRunStore } from '../../runtime/open-store.js';
import { computeStats } from '../../transcript/stats.js';
import { damagedWarning, formatCost, table, truncate } from '../format.js';
import type { DamagedRecord } from '../../stores/port.js';
import type { CliContext, CommonOptions } from '../context.js';
import { MAX_LIST_LIMIT, parseWholeNumber } from '../numbers.js';

/** Longest `--since` window: a hundred years, far past any record and well inside what a Date can hold. */
const MAX_SINCE_MS = 100 * 366 * 86_400_000;
/** `2026-11`, `2026-11-01`, `2026-11-01T09:30`, with seconds, fractions and `Z` or an offset (`+01:00` or `+0100`). */
const ISO_DATE = /^(\d{4})-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-](\d{2}):?(\d{2}))?)?)?$/i;

function sinceError(value: string, detail?: string): UsageError {
  return new UsageError(`--since expects a window such as 7d, 12h or 30m, or an ISO date such as 2026-11-01 or 2026-11-01T09:30Z${detail ? ` (${detail})` : ''}; got "${value}"`);
}

/** Whether every field of an ISO date (and time) is in range: `2024-02-30` or `25:00` does not roll over silently. */
function isoFieldsValid(match: RegExpExecArray): boolean {
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((index) => Number(match[index] ?? (index === 3 ? 1 : 0))) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const offsetOk = match[9] === undefined || (Number(match[9]) <= 23 && Number(match[10]) <= 59);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59 && offsetOk;
}

/**
 * `7d`, `12h`, `30m`, `2w` back from now, or an ISO date (midnight UTC) or date-time (local time unless it ends in `Z`
 * or an offset), as an ISO timestamp. Anything else is refused: a bare number, `Jan 1`, a date that does not exist, a window past a
 * hundred years.
 */
export function parseSince(value: string, now: Date): string {
  const text = value.trim();
  const relative = /^(\d+)\s*([mhdw])$/.exec(text);
  if (relative) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[relative[2] as 'm' | 'h' | 'd' | 'w'];
    const span = Number(relative[1]) * unit;
    if (!(span <= MAX_SINCE_MS)) throw sinceError(value, 'a window of at most 100 years');
    return new Date(now.getTime() - span).toISOString();
  }
  const iso = ISO_DATE.exec(text);
  if (!iso || !isoFieldsValid(iso)) throw sinceError(value, iso ? 'that date does not exist' : undefined);
  // The form Date.parse reads in every engine: a day, a `T`, and an offset with a colon.
  const [, year, month, day = '01', hour, minute, second, fraction = '', zone = '', offsetHours, offsetMinutes] = iso;
  const time = hour === undefined ? '' : `T${hour}:${minute}${second === undefined ? '' : `:${second}${fraction}`}${offsetHours === undefined ? zone.toUpperCase() : `${zone.charAt(0)}${offsetHours}:${offsetMinutes}`}`;
  const date = Date.parse(`${year}-${month}-${day}${time}`);
  if (Number.isNaN(date)) throw sinceError(value);
  return new Date(date).toISOString();
}

export function registerStatsCommand(program: Command, context: CliContext): void {
  const { io, common, openProject } = context;
  common(program.command('stats'))
    .description('cost per run and per kind of goal, model usage and approval rate over a time window')
    .option('--since <window>', 'how far back: 7d, 12h, 30m, 2w, or an ISO date such as 2026-11-01', '7d')
    .option('--limit <n>', `runs read at most (1 to ${MAX_LIST_LIMIT})`, '5000')
    .action(async (options: CommonOptions & { since: string; limit: string }) => {
      const since = parseSince(options.since, new Date());
      const limit = parseWholeNumber(options.limit, '--limit', { min: 1, max: MAX_LIST_LIMIT });
      const project = openProject(options);
      const store = await openRunStore(project, io.env);
      try {
        const damaged: DamagedRecord[] = [];
        const runs = await store.listRuns({ since, limit: limit + 1, onDamaged: (record) => damaged.push(record) });
        const counted = runs.slice(0, limit);
        const turns = new Map(await Promise.all(counted.map(async (run) => [run.id, await store.turns(run.id, (turn) => damaged.push(turn))] as const)));
        const report = computeStats({ runs: counted, turnsOf: (runId) => turns.get(runId) ?? [], since, truncated: runs.length > limit, damaged });
        if (damaged.length) io.stderr(damagedWarning(damaged));
        if (options.json) {
          io.stdout(`${JSON.stringify(report)}\n`);
          return;
        }
        const percent = (value: number | null) => (value === null ? '-' : `${Math.round(value * 100)}%`);
        io.stdout(
          `Since ${since.replace('T', ' ').slice(0, 16)}: ${report.runs.total} run(s) ${JSON.stringify(report.runs.byStatus)}, total cost ${formatCost(report.cost.totalUsd, report.cost.estimated)}, approval rate ${percent(report.approvalRate)}, mean rounds ${report.rounds.mean?.toFixed(2) ?? '-'}\n\n`,
        );
        if (report.runs.total === 0) return;
        io.stdout(`Cost per kind of goal\n${table(['KIND', 'RUNS', 'COST', 'TOKENS'], report.cost.perKind.map((group) => [group.name, String(group.calls), formatCost(group.costUsd), String(group.inputTokens + group.outputTokens)]))}\n\n`);
        io.stdout(`Model usage\n${table(['MODEL', 'CALLS', 'COST', 'TOKENS'], report.cost.perModel.map((group) => [group.name, String(group.calls), formatCost(group.costUsd), String(group.inputTokens + group.outputTokens)]))}\n\n`);
        io.stdout(`Cost per role\n${table(['ROLE', 'TURNS', 'COST'], report.cost.perRole.map((group) => [group.name, String(group.calls), formatCost(group.costUsd)]))}\n\n`);
        const recent = report.cost.perRun.slice(-15);
        io.stdout(`Cost per run (latest ${recent.length})\n${table(['RUN', 'STATUS', 'ROUNDS', 'COST', 'GOAL'], recent.map((run) => [run.runId, run.status, String(run.rounds), formatCost(run.costUsd), truncate(run.goal, 50)]))}\n`);
      } finally {
        await store.close();
      }
    });
}
