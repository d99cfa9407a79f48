/**
 * CLI start-up benchmark: the wall time of `baton --version`, `--help`, `runs`, `show <id>`, `stats`, `kb` and one
 * `baton run --offline`, each the median of N fresh processes, side by side with `node -e 0` (the cost of starting
 * Node at all) measured in the same run. Target: every command that runs no graph within 300 ms.
 *
 * Uses hyperfine when it is on the PATH (and `BATON_BENCH_HYPERFINE` is not `0`), else times `spawnSync` with
 * `process.hrtime`. Runs the executable at `bin/baton.js`, which loads the compiled `dist/`: build first
 * (`npm run bench -- cli` does).
 *
 * Run: `npm run bench -- cli`, or `npx tsc -p tsconfig.build.json && node dist/bench/cli.js`
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Most a command that runs no graph may take, in milliseconds of wall time. */
export const CLI_START_TARGET_MS = 300;

/** One command's timings. */
export interface CliTiming {
  label: string;
  argv: string[];
  /** False for the baseline and for `run`, which the start-up target does not cover. */
  targeted: boolean;
  medianMs: number;
  minMs: number;
  maxMs: number;
  runs: number;
}

/** What {@link runCliBench} measured. */
export interface CliBenchReport {
  node: string;
  tool: 'hyperfine' | 'spawnSync';
  runs: number;
  baseline: CliTiming;
  commands: CliTiming[];
  targetMs: number;
  meetsTarget: boolean;
}

/** Options of {@link runCliBench}. */
export interface CliBenchOptions {
  /** Processes per command (default 10). */
  runs?: number;
  /** The executable to time (default `bin/baton.js` of this package). */
  executable?: string;
  /** Use hyperfine when installed (default true unless `BATON_BENCH_HYPERFINE=0`). */
  hyperfine?: boolean;
}

const GOAL = 'What is Baton?';

/** `bin/baton.js`, from `bench/` in the sources or `dist/bench/` once compiled. */
function defaultExecutable(): string {
  let folder = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(folder, 'bin', 'baton.js'))) {
    const parent = path.dirname(folder);
    if (parent === folder) throw new Error('bench/cli: cannot find bin/baton.js above this file');
    folder = parent;
  }
  return path.join(folder, 'bin', 'baton.js');
}

/** An environment with no model endpoint, so every command stays on the offline engine and off the network. */
function offlineEnvironment(home: string): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'] ?? '', HOME: home, NO_COLOR: '1' };
}

function median(sorted: readonly number[]): number {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function summarise(label: string, argv: string[], targeted: boolean, samplesMs: number[]): CliTiming {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return { label, argv, targeted, medianMs: median(sorted), minMs: sorted[0] ?? 0, maxMs: sorted[sorted.length - 1] ?? 0, runs: sorted.length };
}

/** Runs a command once and fails loudly if it fails: a fast error is not a fast start. */
function runChecked(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv): string {
  const result = spawnSync(process.execPath, argv, { cwd, env, encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`bench/cli: \`node ${argv.join(' ')}\` exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

function timeWithSpawn(argv: readonly string[], runs: number, cwd: string, env: NodeJS.ProcessEnv): number[] {
  runChecked(argv, cwd, env);
  const samples: number[] = [];
  for (let index = 0; index < runs; index += 1) {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, argv, { cwd, env, stdio: 'ignore', timeout: 120_000 });
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (result.status !== 0) throw new Error(`bench/cli: \`node ${argv.join(' ')}\` exited ${result.status}`);
  }
  return samples;
}

function hyperfineAvailable(): boolean {
  return spawnSync('hyperfine', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Quotes an argument for hyperfine's `--shell=none` word splitting. */
function quote(argument: string): string {
  return /^[\w./:=@-]+$/.test(argument) ? argument : `'${argument.replace(/'/g, "'\\''")}'`;
}

function timeWithHyperfine(argv: readonly string[], runs: number, cwd: string, env: NodeJS.ProcessEnv, scratch: string): number[] {
  const exportFile = path.join(scratch, `hyperfine-${Date.now()}.json`);
  const command = [process.execPath, ...argv].map(quote).join(' ');
  const result = spawnSync('hyperfine', ['--shell=none', '--warmup', '1', '--runs', String(runs), '--style', 'none', '--export-json', exportFile, command], { cwd, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`bench/cli: hyperfine failed on \`${command}\`: ${result.stderr}`);
  const parsed = JSON.parse(readFileSync(exportFile, 'utf8')) as { results?: Array<{ times?: unknown }> };
  const times = parsed.results?.[0]?.times;
  if (!Array.isArray(times) || !times.every((time) => typeof time === 'number')) throw new Error('bench/cli: unexpected hyperfine output');
  return times.map((seconds: number) => seconds * 1000);
}

/** Times every command in a fresh project folder (built-in flow, offline engine, sample knowledge). */
export async function runCliBench(options: CliBenchOptions = {}): Promise<CliBenchReport> {
  const runs = options.runs ?? 10;
  const executable = options.executable ?? defaultExecutable();
  const useHyperfine = (options.hyperfine ?? process.env['BATON_BENCH_HYPERFINE'] !== '0') && hyperfineAvailable();
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'baton-bench-cli-'));
  const env = offlineEnvironment(cwd);
  try {
    // One recorded run, so `runs`, `show` and `stats` have something to read.
    const printed = JSON.parse(runChecked([executable, 'run', '--offline', '--json', GOAL], cwd, env)) as { runId: string };
    const time = (argv: string[]): number[] => (useHyperfine ? timeWithHyperfine(argv, runs, cwd, env, cwd) : timeWithSpawn(argv, runs, cwd, env));
    const baseline = summarise('node -e 0', ['-e', '0'], false, time(['-e', '0']));
    const cases: Array<{ label: string; args: string[]; targeted: boolean }> = [
      { label: 'baton --version', args: ['--version'], targeted: true },
      { label: 'baton --help', args: ['--help'], targeted: true },
      { label: 'baton runs', args: ['runs'], targeted: true },
      { label: 'baton show <id>', args: ['show', printed.runId], targeted: true },
      { label: 'baton stats', args: ['stats'], targeted: true },
      { label: 'baton kb', args: ['kb'], targeted: true },
      { label: 'baton run --offline', args: ['run', '--offline', '--quiet', GOAL], targeted: false },
    ];
    const commands = cases.map((entry) => summarise(entry.label, [executable, ...entry.args], entry.targeted, time([executable, ...entry.args])));
    return {
      node: process.version,
      tool: useHyperfine ? 'hyperfine' : 'spawnSync',
      runs,
      baseline,
      commands,
      targetMs: CLI_START_TARGET_MS,
      meetsTarget: commands.every((command) => !command.targeted || command.medianMs <= CLI_START_TARGET_MS),
    };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** A table: median, min and max per command, and how much each adds to starting Node. */
export function formatCliBenchReport(report: CliBenchReport): string {
  const row = (timing: CliTiming): string => {
    const overBaseline = timing === report.baseline ? '' : `+${(timing.medianMs - report.baseline.medianMs).toFixed(0)} ms`;
    const verdict = timing.targeted ? (timing.medianMs <= report.targetMs ? 'ok' : 'OVER') : '';
    return `${timing.label.padEnd(22)} ${timing.medianMs.toFixed(0).padStart(7)} ${timing.minMs.toFixed(0).padStart(7)} ${timing.maxMs.toFixed(0).padStart(7)} ${overBaseline.padStart(11)} ${(timing.medianMs / report.baseline.medianMs).toFixed(1).padStart(6)}x  ${verdict}`;
  };
  return [
    `CLI start-up bench (node ${report.node}): wall time of ${report.runs} fresh processes per command, timed with ${report.tool}; offline engine, built-in sample knowledge`,
    `${'command'.padEnd(22)} ${'median'.padStart(7)} ${'min'.padStart(7)} ${'max'.padStart(7)} ${'vs node -e 0'.padStart(11)} ${'ratio'.padStart(7)}  (ms)`,
    row(report.baseline),
    ...report.commands.map(row),
    `target: commands that run no graph within ${report.targetMs} ms at the median — ${report.meetsTarget ? 'met' : 'NOT met'}`,
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runCliBench()
    .then((report) => {
      console.log(formatCliBenchReport(report));
      if (!report.meetsTarget) process.exitCode = 1;
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
