/**
 * `baton audit`: the audit trail across runs (guard decisions, call approvals, gate decisions), as a table, as JSON,
 * or as JSON lines for export. Filters are read strictly: a bad one is a usage error naming the flag and what it takes.
 */
import { Option, type Command } from 'commander';
import { AuditAction, AuditKind, AuditSurface, type AuditEntry } from '../../audit/entry.js';
import { describeSkipped, type SkippedAuditRecord } from '../../audit/extract.js';
import { listAudit, type AuditFilter } from '../../audit/list.js';
import { INSTANT_EXPECTED, readInstant } from '../../audit/window.js';
import { UsageError } from '../../errors.js';
import { openRunStore } from '../../runtime/open-store.js';
import type { DamagedRecord } from '../../stores/port.js';
import type { CliContext, CommonOptions } from '../context.js';
import { damagedWarning, table, truncate } from '../format.js';
import { MAX_LIST_LIMIT, parseWholeNumber } from '../numbers.js';

export interface AuditCommandOptions extends CommonOptions {
  run?: string;
  kind?: AuditKind;
  action?: AuditAction;
  surface?: AuditFilter['surface'];
  since?: string;
  until?: string;
  limit?: string;
  jsonl?: boolean;
}

function instantOption(value: string, flag: string, now: Date): Date {
  const instant = readInstant(value, now);
  if (!instant) throw new UsageError(`${flag} expects ${INSTANT_EXPECTED}; got "${value}"`);
  return instant;
}

/** The filter the options describe; a {@link UsageError} naming the flag for a value that is not one. */
export function auditFilterOf(options: AuditCommandOptions, now: Date): AuditFilter {
  if (options.json && options.jsonl) throw new UsageError('--json and --jsonl are two output formats: give one of them');
  if (options.run !== undefined && options.run.trim() === '') throw new UsageError('--run expects a run id from `baton runs`; got an empty value');
  const since = options.since !== undefined ? instantOption(options.since, '--since', now) : undefined;
  const until = options.until !== undefined ? instantOption(options.until, '--until', now) : undefined;
  if (since && until && until < since) throw new UsageError(`--until (${until.toISOString()}) must not be before --since (${since.toISOString()}): the window would be empty`);
  return {
    ...(options.run !== undefined ? { runId: options.run.trim() } : {}),
    ...(options.kind ? { kind: options.kind } : {}),
    ...(options.action ? { action: options.action } : {}),
    ...(options.surface ? { surface: options.surface } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    ...(options.limit !== undefined ? { limit: parseWholeNumber(options.limit, '--limit', { min: 1, max: MAX_LIST_LIMIT }) } : {}),
  };
}

/** Where the decision applied: a guard's surface and source, a call's operation, or what a gate reviewed. */
function whereOf(entry: AuditEntry): string {
  switch (entry.kind) {
    case 'guard':
      return entry.source === undefined || entry.source === entry.surface ? (entry.surface ?? '') : `${entry.surface ?? '?'} ${entry.source}`;
    case 'approval':
      return `${entry.operation ?? ''}${entry.question === 'outcome' ? ' (outcome)' : ''}`;
    case 'gate':
      return `${entry.review ?? ''} at ${entry.role}`;
  }
}

/** What a person reads about why: a guard's detections, an approval's reason and note, a gate's note. */
function whyOf(entry: AuditEntry): string {
  const rules = entry.rules?.length ? ` [${entry.rules.join(', ')}]` : '';
  const parts = [entry.reason, entry.note].filter((part): part is string => Boolean(part));
  return `${parts.join(' — ')}${rules}`;
}

function auditRow(entry: AuditEntry): string[] {
  return [entry.at.replace('T', ' ').slice(0, 19), entry.runId, `${entry.seq} ${entry.role}`, entry.kind, entry.action, truncate(whereOf(entry), 48), entry.by ?? '', truncate(whyOf(entry), 70)];
}

function skippedAsDamaged(skipped: SkippedAuditRecord): DamagedRecord {
  return { runId: skipped.runId, seq: skipped.seq, reason: `${describeSkipped(skipped)} is malformed (${skipped.reason})` };
}

export function registerAuditCommand(program: Command, context: CliContext): void {
  const { io, common, openProject } = context;
  common(program.command('audit'))
    .description('list guard decisions, call approvals and gate decisions across runs, oldest first')
    .option('--run <id>', 'only this run')
    .addOption(new Option('--kind <kind>', 'only guard decisions, call approvals or gate decisions').choices(AuditKind.options))
    .addOption(new Option('--action <action>', "only this guard action or person's decision").choices(AuditAction.options))
    .addOption(new Option('--surface <surface>', 'only guard decisions on this surface').choices(AuditSurface.options))
    .option('--since <when>', 'from this instant: 24h, 7d, 30m, 2w back, or an ISO date such as 2026-11-01')
    .option('--until <when>', 'before this instant, written like --since')
    .option('--limit <n>', `only the newest n entries (1 to ${MAX_LIST_LIMIT})`)
    .option('--jsonl', 'one JSON object per line (for export)')
    .action(async (options: AuditCommandOptions) => {
      const filter = auditFilterOf(options, new Date());
      const project = openProject(options);
      const store = await openRunStore(project, io.env);
      try {
        const damaged: DamagedRecord[] = [];
        const entries = await listAudit(store, filter, { onDamaged: (record) => damaged.push(record), onSkipped: (skipped) => damaged.push(skippedAsDamaged(skipped)) });
        if (damaged.length) io.stderr(damagedWarning(damaged));
        if (options.jsonl) io.stdout(entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
        else if (options.json) io.stdout(`${JSON.stringify({ entries })}\n`);
        else if (entries.length === 0) io.stdout('No audit entries match. Guard decisions, call approvals and gate decisions are listed here as runs record them.\n');
        else io.stdout(`${table(['TIME (UTC)', 'RUN', 'TURN', 'KIND', 'ACTION', 'WHERE', 'BY', 'WHY'], entries.map(auditRow))}\n`);
      } finally {
        await store.close();
      }
    });
}
