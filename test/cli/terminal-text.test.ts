/**
 * Stored text reaches the terminal only through the one sanitiser: goals, model and document text, file names and
 * error messages with control or bidi characters are printed as visible escapes, while `--json` keeps exact values.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { progressLine, table } from '../../src/cli/format.js';
import { terminalIo, terminalLine, terminalText } from '../../src/cli/terminal-text.js';
import { terminalSafeLogLine } from '../../src/logging.js';
import { createRedactor } from '../../src/transcript/redact.js';
import type { NewTurn, RunRecord } from '../../src/transcript/schema.js';
import { SqliteRunStore } from '../../src/stores/sqlite/store.js';
import { cli } from '../support/cli.js';
import { temporaryDirectories } from '../support/project.js';

/** Any character a terminal would act on instead of showing (newline and tab excepted). */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const HOSTILE = 'clear\u001b[2J\u001b]0;pwned\u0007 csi\u009b31m rlo\u202egnp.exe nul\u0000 cr\roverwrite lri\u2066x\u2069';

const tempDir = temporaryDirectories('baton-terminal-');

/** A project folder whose store holds a run written by an older Baton or fed by hostile documents and models. */
async function seededProject(): Promise<{ cwd: string; goal: string }> {
  const cwd = tempDir();
  const store = SqliteRunStore.open({ dataDir: path.join(cwd, '.baton'), redact: createRedactor([]) });
  const now = new Date().toISOString();
  const run: Omit<RunRecord, 'version'> = {
    id: 'run_hostile', goal: `goal ${HOSTILE}`, status: 'unverified', rounds: 1, startedAt: now, endedAt: now, durationMs: 1200,
    inputTokens: 10, outputTokens: 5, costUsd: 0, costEstimated: false, engine: 'offline', labels: {},
    result: { answer: `answer ${HOSTILE}\nsecond line`, citations: [{ marker: 1, source: `doc${HOSTILE}.md`, quote: `quote ${HOSTILE}` }], verification: { verified: false, verdicts: [] } },
    error: { code: 'TOOL_FAILED', message: `error ${HOSTILE}` },
  };
  const turn: NewTurn = {
    runId: 'run_hostile', round: 1, from: 'planner', to: ['researcher'], role: 'planner', kind: 'planner', model: 'offline:x', startedAt: now,
    latencyMs: 3, messages: [{ role: 'user', content: `message ${HOSTILE}` }], output: { steps: [{ id: 's1', question: `question ${HOSTILE}` }] },
    toolCalls: [{ name: 'search_docs', arguments: { query: HOSTILE }, resultSummary: `found ${HOSTILE}`, durationMs: 1 }] as NewTurn['toolCalls'],
    usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2, estimated: true }, costUsd: 0, attempts: 1, events: [], error: { code: 'X', message: `turn error ${HOSTILE}` },
  };
  // The planner turn opens the run; the run is then recorded as it ended (an end status releases the lease).
  const lease = { owner: 'seed', expiresAt: Date.now() + 60_000 };
  const created = await store.createRun(run, turn, { state: { status: 'running', lease } });
  expect(await store.updateRun({ ...run, version: created.version }, lease.owner)).toBe(true);
  await store.close();
  return { cwd, goal: run.goal };
}

describe('the terminal sanitiser', () => {
  it('escapes C0, DEL, C1 and bidi characters visibly, keeping newline and tab in multi-line text', () => {
    expect(terminalText('a\u001b[31mb')).toBe('a\\u001b[31mb');
    expect(terminalText('x\u0000y\u009bz\u202e\u2066\u200f')).toBe('x\\u0000y\\u009bz\\u202e\\u2066\\u200f');
    expect(terminalText('one\r\ntwo\n\tthree\rfour')).toBe('one\ntwo\n\tthree\\u000dfour');
    expect(terminalLine('one\ntwo\tthree')).toBe('one\\u000atwo\\u0009three');
    expect(terminalText(terminalText(HOSTILE))).toBe(terminalText(HOSTILE));
    expect(terminalText('plain text, émoji 😀, עברית')).toBe('plain text, émoji 😀, עברית');
  });

  it('keeps --json output exact JSON with the same values', () => {
    const value = { goal: HOSTILE, nested: ['\u0085', '\u202e'] };
    const printed = terminalText(`${JSON.stringify(value)}\n`);
    expect(printed).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(printed)).toEqual(value);
  });

  it('wraps an io so both streams are sanitised, and table cells and progress lines stay on one line', () => {
    const written: string[] = [];
    const io = terminalIo({ stdout: (text) => written.push(text), stderr: (text) => written.push(text), env: {}, cwd: '/', onInterrupt: () => () => undefined });
    io.stdout('a\u001bb\n');
    io.stderr('c\u202ed\n');
    expect(written).toEqual(['a\\u001bb\n', 'c\\u202ed\n']);
    expect(table(['NAME'], [[`x\ny${HOSTILE}`]])).not.toMatch(RAW_CONTROL);
    expect(table(['NAME'], [['x\ny']]).split('\n')).toHaveLength(2);
    const line = progressLine({
      runId: 'r', seq: 1, version: 1, round: 1, from: 'planner', to: ['researcher'], role: 'planner', kind: 'planner', model: 'm', startedAt: '', latencyMs: 1,
      messages: [], output: null, toolCalls: [], usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0, estimated: false }, costUsd: 0, attempts: 1, events: [],
      error: { code: 'X', message: `bad\n${HOSTILE}` },
    } as unknown as Parameters<typeof progressLine>[0]);
    expect(line).not.toMatch(RAW_CONTROL);
    expect(line).not.toContain('\n');
  });

  it('escapes the strings of log lines shown on the terminal', () => {
    const line = terminalSafeLogLine(`${JSON.stringify({ level: 40, msg: `warn ${HOSTILE}`, goal: HOSTILE })}\n`);
    expect(JSON.parse(line)).toMatchObject({ msg: expect.stringContaining('\\u001b[2J'), goal: expect.stringContaining('\\u202e') });
  });
});

describe('CLI output of stored text', () => {
  let project: { cwd: string; goal: string };
  beforeAll(async () => {
    project = await seededProject();
  });

  it('baton runs, show, show --verbose and stats print no raw control or bidi character', async () => {
    for (const argv of [['runs'], ['show', 'run_hostile'], ['show', 'run_hostile', '--verbose'], ['stats']]) {
      const result = await cli(argv, project.cwd);
      expect(result.code, argv.join(' ')).toBe(0);
      expect(result.stdout, argv.join(' ')).not.toMatch(RAW_CONTROL);
      expect(result.stderr, argv.join(' ')).not.toMatch(RAW_CONTROL);
      expect(result.stdout, argv.join(' ')).toContain('\\u001b');
    }
    const shown = await cli(['show', 'run_hostile'], project.cwd);
    expect(shown.stdout).toContain('\\u202egnp.exe');
    expect(shown.stdout).toContain('\\u000doverwrite');
    expect(shown.stdout).toMatch(/answer .*\nsecond line/);
  });

  it('--json output keeps the exact stored text', async () => {
    const listed = await cli(['runs', '--json'], project.cwd);
    expect((JSON.parse(listed.stdout) as Array<{ goal: string }>)[0]?.goal).toBe(project.goal);
    const shown = await cli(['show', 'run_hostile', '--json'], project.cwd);
    expect(shown.stdout).not.toMatch(RAW_CONTROL);
    expect((JSON.parse(shown.stdout) as { run: { goal: string } }).run.goal).toBe(project.goal);
  });

  it('error messages that echo user text are escaped too', async () => {
    const result = await cli(['show', 'run_\u001b[2Jx\u202e'], project.cwd);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('no run with id "run_\\u001b[2Jx\\u202e"');
    expect(result.stderr).not.toMatch(RAW_CONTROL);
  });

  it('baton run refuses a goal with a control character with exit 64, naming U+XXXX and the position', async () => {
    const result = await cli(['run', 'What is \u001b[31mBaton?', '--offline'], project.cwd);
    expect(result.code).toBe(64);
    expect(result.stderr).toMatch(/U\+001B \(ESC\) at position 9/);
    expect(result.stderr).not.toMatch(RAW_CONTROL);
    expect(result.stderr).not.toContain('internal error');
  });

  it('baton kb shows document names with control characters escaped', async () => {
    const docs = path.join(project.cwd, 'docs');
    mkdirSync(docs);
    writeFileSync(path.join(docs, 'evil\u001b[31m\u202e.md'), '# Quokkas\n\nQuokkas live on Rottnest Island and smile a lot.\n');
    const ingested = await cli(['ingest', docs], project.cwd);
    expect(ingested.code, ingested.stderr).toBe(0);
    const listed = await cli(['kb'], project.cwd);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('evil\\u001b[31m\\u202e.md');
    expect(listed.stdout).not.toMatch(RAW_CONTROL);
  });
});
