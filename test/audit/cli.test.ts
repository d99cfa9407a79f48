/**
 * `baton audit` in-process, on a project whose store holds the audit fixtures: the table, JSON, JSON lines, filters,
 * and bad filter values refused as usage errors (exit 64) that name the flag, never a stack trace.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEntry } from '../../src/audit/entry.js';
import { SqliteRunStore } from '../../src/stores/sqlite/store.js';
import { createRedactor } from '../../src/transcript/redact.js';
import { cli, expectClean } from '../support/cli.js';
import { temporaryDirectories } from '../support/project.js';
import { recordAuditRuns, RUN_IDS, TIMES } from './fixtures.js';

const tempDir = temporaryDirectories('baton-audit-cli-');
let project: string;

beforeAll(async () => {
  project = tempDir();
  const dataDir = path.join(project, '.baton');
  mkdirSync(dataDir, { recursive: true });
  const store = SqliteRunStore.open({ dataDir, redact: createRedactor([]) });
  // a at 4 days ago, b 2 days ago, old 14 days ago, the live run's event a day ago.
  await recordAuditRuns(store, Date.now() - 4 * TIMES.DAY);
  await store.close();
});

function jsonLines(text: string): AuditEntry[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => AuditEntry.parse(JSON.parse(line)));
}

describe('baton audit', () => {
  it('prints a table of every entry, oldest first, and warns about the malformed records it skipped', async () => {
    const result = await cli(['audit'], project);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TIME \(UTC\)\s+RUN\s+TURN\s+KIND\s+ACTION\s+WHERE\s+BY\s+WHY$/);
    expect(lines).toHaveLength(8);
    expect(lines[1]).toContain(RUN_IDS.old);
    expect(result.stdout).toContain('tool https://evil.example/page');
    expect(result.stdout).toContain('asks to ignore previous instructions; tells the model');
    expect(result.stdout).toContain('crm.refund');
    expect(result.stdout).toMatch(/gate\s+reject\s+draft at review\s+bo\s+too vague/);
    expect(result.stderr).toContain('3 record(s) could not be read and were skipped');
    expect(result.stderr).toContain(`turn 2 of run ${RUN_IDS.a}: a guard event is malformed`);
  });

  it('exports JSON lines, one entry per line, and filters by kind, action, surface, run and window', async () => {
    const all = await cli(['audit', '--jsonl'], project);
    expect(all.code).toBe(0);
    expect(jsonLines(all.stdout)).toHaveLength(7);

    const flags = jsonLines((await cli(['audit', '--jsonl', '--kind', 'guard', '--action', 'flag'], project)).stdout);
    expect(flags.map((entry) => entry.surface)).toEqual(['model-output', 'knowledge']);
    expect(jsonLines((await cli(['audit', '--jsonl', '--surface', 'goal'], project)).stdout).map((entry) => entry.action)).toEqual(['block']);
    expect(jsonLines((await cli(['audit', '--jsonl', '--run', RUN_IDS.a], project)).stdout)).toHaveLength(4);
    expect(jsonLines((await cli(['audit', '--jsonl', '--since', '3d'], project)).stdout).map((entry) => entry.runId)).toEqual([RUN_IDS.b, RUN_IDS.live]);
    expect(jsonLines((await cli(['audit', '--jsonl', '--since', '3d', '--until', '36h'], project)).stdout).map((entry) => entry.runId)).toEqual([RUN_IDS.b]);
    expect(jsonLines((await cli(['audit', '--jsonl', '--until', '2000-01-01'], project)).stdout)).toEqual([]);
    expect(jsonLines((await cli(['audit', '--jsonl', '--limit', '1'], project)).stdout).map((entry) => entry.runId)).toEqual([RUN_IDS.live]);
  });

  it('prints JSON with --json, and says so when nothing matches', async () => {
    const result = await cli(['audit', '--json', '--kind', 'approval'], project);
    const parsed = JSON.parse(result.stdout) as { entries: unknown[] };
    expect(parsed.entries).toHaveLength(1);
    expect(AuditEntry.parse(parsed.entries[0])).toMatchObject({ operation: 'crm.refund', by: 'ana', decision: 'approve' });
    expect((await cli(['audit', '--surface', 'answer'], project)).stdout).toContain('No audit entries match');
  });

  it.each([
    [['--since', 'yesterday'], /--since expects a span back from now such as 24h, 7d.*or an ISO date.*got "yesterday"/],
    [['--since', '2026-02-30'], /--since expects .*got "2026-02-30"/],
    [['--until', '24'], /--until expects .*got "24"/],
    [['--since', '1d', '--until', '3d'], /--until .* must not be before --since/],
    [['--limit', '0'], /--limit expects a positive whole number from 1 to/],
    [['--kind', 'guards'], /option '--kind <kind>' argument 'guards' is invalid\. Allowed choices are guard, approval, gate/],
    [['--action', 'deny'], /'--action <action>' argument 'deny' is invalid\. Allowed choices are allow, flag, quarantine, redact, block, approve, reject/],
    [['--surface', 'web'], /'--surface <surface>' argument 'web' is invalid/],
    [['--json', '--jsonl'], /--json and --jsonl are two output formats/],
    [['--run', 'run_nope'], /run_nope/],
  ])('refuses %j as a usage error naming the flag', async (flags, message) => {
    const result = await cli(['audit', ...flags], project);
    expect(result.code).toBe(64);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
    expectClean(result.stderr);
  });
});
