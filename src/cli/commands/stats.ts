/** `baton stats`: cost per run and per kind of goal, model usage and approval rate over a time window. */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { openTranscriptStore } from '../../runtime/open-store.js';
import { computeStats } from '../../transcript/stats.js';
import { damagedWarning, formatCost, table, truncate } from '../format.js';
import type { DamagedRecord } from '../../transcript/store.js';
import type { CliContext, CommonOptions } from '../context.js';

/** `7d`, `12h`, `30m` back from now, or an ISO date, as an ISO timestamp. */
export function parseSince(value: string, now: Date): string {
  const relative = /^(\d+)\s*([mhdw])$/.exec(value.trim());
  if (relative) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[relative[2] as 'm' | 'h' | 'd' | 'w'];
    return new Date(now.getTime() - Number(relative[1]) * unit).toISOString();
  }
  const date = Date.parse(value);
  if (Number.isNaN(date)) throw new UsageError(`--since expects a window such as 7d, 12h or 30m, or a date such as 2026-11-01; got "${value}"`);
  return new Date(date).toISOString();
}

export function registerStatsCommand(program: Command, context: CliContext): void {
  const { io, common, openProject } = context;
  common(program.command('stats'))
    .description('cost per run and per kind of goal, model usage and approval rate over a time window')
    .option('--since <window>', 'how far back: 7d, 12h, 30m, or a date', '7d')
    .option('--limit <n>', 'runs read at most', '5000')
    .action((options: CommonOptions & { since: string; limit: string }) => {
      const since = parseSince(options.since, new Date());
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit expects a positive whole number, got "${options.limit}"`);
      const project = openProject(options);
      const store = openTranscriptStore(project, io.env);
      try {
        const damaged: DamagedRecord[] = [];
        const runs = store.listRuns({ since, limit: limit + 1, onDamaged: (record) => damaged.push(record) });
        const report = computeStats({ runs: runs.slice(0, limit), turnsOf: (runId) => store.turns(runId, (turn) => damaged.push(turn)), since, truncated: runs.length > limit, damaged });
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
        store.close();
      }
    });
}
