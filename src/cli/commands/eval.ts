/**
 * `baton eval <suite.yaml>`: runs a suite of questions on a config (and, with `--compare`, on a second one) and prints
 * what was approved, what was correct, what was approved but wrong or unanswerable, citation precision, rounds, tokens,
 * cost and latency. Exits non-zero when a gate fails, so a prompt or model change can be gated in CI.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { Project } from '../../config/load.js';
import { ConfigError, UsageError } from '../../errors.js';
import type { GateFailure, QuestionResult } from '../../eval/metrics.js';
import { ProgressBar, type ProgressTerminal } from '../../eval/progress.js';
import type { EvalReport } from '../../eval/runner.js';
import { loadSuite, MAX_EVAL_CONCURRENCY, selectQuestions, type Suite, type SuiteQuestion } from '../../eval/suite.js';
import type { CliContext, CommonOptions } from '../context.js';
import { EVAL_GATES_FAILED, EXIT_CODES } from '../exit-codes.js';
import { formatCost, formatDuration, table, truncate } from '../format.js';
import { parseWholeNumber } from '../numbers.js';
import { terminalLine } from '../terminal-text.js';

interface EvalCommandOptions extends CommonOptions {
  compare?: string;
  offline?: boolean;
  concurrency: number;
  only?: string[];
}

/** The eval of one config, as `--json` prints it. */
export interface EvalDocument extends EvalReport {
  suite: { name: string; description?: string; file: string; questions: number };
  config: { file: string | null; dataDir: string; engine: Project['modelSource']; defaultModel: string };
}

/** `--only a,b --only c` selects a, b and c. */
function parseOnly(value: string, previous: string[] | undefined): string[] {
  const ids = value.split(',').map((id) => id.trim()).filter(Boolean);
  if (ids.length === 0) throw new UsageError(`--only expects question ids separated by commas, e.g. --only trailing-slash,logger; got "${value}"`);
  return [...new Set([...(previous ?? []), ...ids])];
}

/** An eval asks its questions with no one to answer a human gate: such a flow would leave every run waiting. */
function refuseHumanGates(project: Project, flag: string): void {
  const gates = project.stages.filter((stage) => stage.kind === 'human').map((stage) => stage.name);
  if (gates.length === 0) return;
  throw new UsageError(`the flow of ${project.configFile ?? 'the project'} (${flag}) has a human gate (${gates.join(', ')}): an eval has no person to decide, so every question would wait at it`, {
    hint: 'evaluate a config whose flow has no human gate (copy it and remove the gate), then run the gated flow by hand',
  });
}

/** The terminal the progress bar draws on: stderr when it is a TTY. The bar needs `\r` and an erase sequence, which the sanitised io escapes. */
function progressTerminal(env: CliContext['io']['env']): ProgressTerminal | undefined {
  if (!process.stderr.isTTY || env['TERM'] === 'dumb') return undefined;
  const stderr = process.stderr;
  return {
    write: (text) => stderr.write(text),
    get columns() {
      return stderr.columns;
    },
  };
}

export function registerEvalCommand(program: Command, context: CliContext, setExitCode: (code: number) => void): void {
  const { io, common, openProject } = context;
  common(program.command('eval'))
    .description('run a suite of questions and score the answers: approved, correct, wrong-but-approved, citation precision, cost; exits non-zero when a gate fails')
    .argument('<suite>', 'the suite file (YAML): questions with the facts and sources a correct answer has, and thresholds')
    .option('--compare <config>', 'also run the suite on this config file and print both side by side')
    .option('--offline', 'use the offline engine for every role, whatever the configs or environment say')
    .option('--concurrency <n>', `questions run at once (1 to ${MAX_EVAL_CONCURRENCY})`, (value) => parseWholeNumber(value, '--concurrency', { min: 1, max: MAX_EVAL_CONCURRENCY }), 1)
    .option('--only <ids>', 'only these question ids, separated by commas', parseOnly)
    .action(async (suiteFile: string, options: EvalCommandOptions) => {
      if (suiteFile.trim() === '') throw new UsageError('the suite path is empty; expected a YAML suite file, e.g. baton eval eval/docs.yaml');
      if (options.compare !== undefined && options.compare.trim() === '') throw new UsageError('--compare was given an empty path; expected a config file');
      const suite = loadSuite(suiteFile, io.cwd);
      // Checked before any project loads or any run starts.
      const selected = selectQuestions(suite, options.only).length;
      if (options.compare !== undefined && !existsSync(options.compare)) {
        throw new ConfigError(`config file not found: ${options.compare}`, [], { hint: 'check the path given to --compare' });
      }
      const current = openProject({ ...options, ...currentConfig(suite, options) });
      const other = options.compare !== undefined ? openProject({ ...options, config: options.compare }) : undefined;
      refuseHumanGates(current, options.config !== undefined ? '--config' : suite.configFile !== undefined ? "the suite's config" : 'the current project');
      if (other) refuseHumanGates(other, '--compare');
      // Loaded here and not at start-up, like `baton run`: the graph, the model clients, the logger and the scoring
      // (which shares the evidence check's text rules) are what only running the suite needs.
      const [{ openRuntime }, { runGoal }, { startRunSession }, { runSuite }] = await Promise.all([
        import('../../runtime/open.js'),
        import('../../runtime/run.js'),
        import('../run-session.js'),
        import('../../eval/runner.js'),
      ]);
      const terminal = options.json ? undefined : progressTerminal(io.env);

      // Both configs are opened before the first question runs: a second config that cannot open (a damaged data
      // directory) must not throw away a finished, paid-for first eval.
      const open = async (project: Project) => {
        const runtime = await openRuntime(project, { env: io.env });
        try {
          return { project, runtime, session: await startRunSession(runtime, project, io, { ...options, quiet: true }) };
        } catch (error) {
          await runtime.close();
          throw error;
        }
      };
      const opened = [await open(current)];
      try {
        if (other) opened.push(await open(other));
      } catch (error) {
        await opened[0]!.session.close();
        throw error;
      }

      const evaluate = async ({ project, runtime, session }: Awaited<ReturnType<typeof open>>, label: string): Promise<EvalDocument> => {
        const bar = terminal ? new ProgressBar(terminal, { label, now: () => Date.now() }) : undefined;
        // Redrawn every second so the elapsed time moves while a long question runs.
        const timer = bar ? setInterval(() => bar.render(), 1000) : undefined;
        timer?.unref();
        try {
          const report = await runSuite({
            suite,
            ...(options.only ? { only: options.only } : {}),
            concurrency: options.concurrency,
            signal: session.signal,
            onProgress: (event) => bar?.update(event),
            runQuestion: async (question) => {
              const tags = { kind: 'eval', suite: suite.name, question: question.id };
              const outcome = await runGoal(runtime, {
                goal: question.question,
                tags,
                signal: session.signal,
                onStart: (runId) => session.logger.info({ runId, goal: question.question, engine: project.modelSource, ...tags }, 'run-start'),
              });
              session.logger.info({ runId: outcome.runId, status: outcome.status, rounds: outcome.rounds, durationMs: outcome.durationMs, ...(outcome.error ? { error: outcome.error } : {}) }, 'run-end');
              return outcome;
            },
          });
          return {
            suite: { name: suite.name, ...(suite.description !== undefined ? { description: suite.description } : {}), file: suite.file, questions: selected },
            config: { file: project.configFile ?? null, dataDir: project.dataDir, engine: project.modelSource, defaultModel: project.defaultModel },
            ...report,
          };
        } finally {
          if (timer) clearInterval(timer);
          bar?.clear();
          await session.close();
        }
      };

      const first = await evaluate(opened[0]!, other ? 'current' : 'eval');
      const second = opened[1] && !first.cancelled ? await evaluate(opened[1], 'other') : undefined;
      if (opened[1] && !second) await opened[1].session.close();
      // With --compare the document keeps its shape even when Ctrl-C stopped the eval before the other config ran.
      if (options.json) io.stdout(`${JSON.stringify(other ? { current: first, other: second ?? null } : first)}\n`);
      else io.stdout(second ? `${formatComparison(first, second)}\n` : `${formatReport(first, suite)}\n`);
      setExitCode(evalExitCode(second ? [first, second] : [first]));
    });
}

/**
 * The exit status of `baton eval`: 130 when it was cancelled, {@link EVAL_GATES_FAILED} when any config evaluated
 * missed a gate (with `--compare`, both must pass), else 0.
 */
export function evalExitCode(reports: ReadonlyArray<Pick<EvalReport, 'passed' | 'cancelled'>>): number {
  if (reports.some((report) => report.cancelled)) return EXIT_CODES.cancelled;
  return reports.every((report) => report.passed) ? 0 : EVAL_GATES_FAILED;
}

/** The config the suite runs on: `--config`, else the suite's `config`, else the project in the working directory. */
function currentConfig(suite: Suite, options: EvalCommandOptions): { config?: string } {
  if (options.config !== undefined) return { config: options.config };
  if (suite.configFile === undefined) return {};
  if (!existsSync(suite.configFile)) {
    throw new ConfigError(`the suite's config ${suite.configFile} does not exist`, suite.configLocation ? [suite.configLocation] : [], { hint: 'fix the path (it is relative to the suite file) or pass --config' });
  }
  return { config: suite.configFile };
}

const YES = '✓';
const NO = '✗';

function percent(share: number): string {
  return `${(share * 100).toFixed(1).replace(/\.0$/, '')}%`;
}

function flagsOf(result: QuestionResult): string {
  return [result.wrongButApproved ? 'WRONG' : '', result.unanswerableButApproved ? 'UNANSWERABLE-APPROVED' : ''].filter(Boolean).join(' ');
}

function questionRow(result: QuestionResult): string[] {
  return [
    result.id,
    result.approved ? YES : `${NO} ${result.status}`,
    !result.answerable ? 'n/a' : result.approved ? (result.correct ? YES : NO) : '-',
    flagsOf(result),
    result.approved ? `${result.preciseCitations}/${result.citations}` : '-',
    String(result.rounds),
    String(result.tokens),
    formatCost(result.costUsd, result.costEstimated),
    formatDuration(result.latencyMs),
    result.runId ?? '-',
  ];
}

/** Why a question did not pass, one line each: what a wrong answer missed, what an unanswerable one was, an error. */
function questionNotes(results: readonly QuestionResult[], questionOf: (id: string) => SuiteQuestion | undefined): string[] {
  const notes: string[] = [];
  for (const result of results) {
    if (result.wrongButApproved) {
      const missing = [
        result.missingFacts.length ? `missing fact(s): ${result.missingFacts.join('; ')}` : '',
        result.expectedSourceCited ? '' : `no expected source cited (expected: ${questionOf(result.id)?.sources.join(', ') ?? '?'})`,
      ].filter(Boolean);
      notes.push(`${result.id}: WRONG: ${missing.join('; ')}`);
    }
    if (result.unanswerableButApproved) notes.push(`${result.id}: approved, but the suite marks it unanswerable: ${questionOf(result.id)?.why ?? ''}`);
    if (result.error) notes.push(`${result.id}: ${result.status}: ${result.error.code}: ${truncate(result.error.message, 200)}`);
  }
  return notes.map((note) => `  ${terminalLine(note)}`);
}

/** The totals rows shared by the report and the comparison: a label and one value per eval. */
function totalsRows(document: EvalDocument): Array<[string, string]> {
  const { totals } = document;
  return [
    ['approved', `${totals.approved}/${totals.questions}`],
    ['approved and correct', `${totals.approvedCorrect.count}/${totals.answerable} (${percent(totals.approvedCorrect.share)})`],
    ['wrong but approved', String(totals.wrongButApproved)],
    ['unanswerable but approved', String(totals.unanswerableButApproved)],
    ['citation precision', `${totals.citationPrecision.precise}/${totals.citationPrecision.cited} (${percent(totals.citationPrecision.share)})${totals.citationPrecision.cited === 0 ? ' (no citations)' : ''}`],
    ['failed runs', String(totals.failed)],
    ['rounds', `${totals.rounds.total} (mean ${totals.rounds.mean.toFixed(2)})`],
    ['tokens', `${totals.tokens.total} (mean ${Math.round(totals.tokens.mean)})`],
    ['cost', `${formatCost(totals.cost.totalUsd, totals.cost.estimated)} (mean ${formatCost(totals.cost.meanUsd, totals.cost.estimated)})`],
    ['latency p50 / p95', `${formatDuration(totals.latency.p50Ms)} / ${formatDuration(totals.latency.p95Ms)}`],
  ];
}

function verdictLine(passed: boolean, failures: readonly GateFailure[]): string {
  return passed ? 'PASSED: no wrong or unanswerable answer approved, every threshold met' : `FAILED:\n${failures.map((failure) => `  - ${terminalLine(failure.message)}`).join('\n')}`;
}

function describeConfig(document: EvalDocument): string {
  return `${document.config.file ?? '(no config file: built-in defaults)'} (engine ${document.config.engine}, default model ${document.config.defaultModel})`;
}

function thresholdsLine(suite: Pick<Suite, 'thresholds'>): string {
  const { approvedCorrect, citationPrecision } = suite.thresholds;
  const parts = [approvedCorrect !== undefined ? `approved and correct ≥ ${percent(approvedCorrect)}` : '', citationPrecision !== undefined ? `citation precision ≥ ${percent(citationPrecision)}` : ''].filter(Boolean);
  return `Gates: wrong but approved = 0, unanswerable but approved = 0, failed runs ≤ ${suite.thresholds.maxFailedRuns ?? 0}${parts.length ? `, ${parts.join(', ')}` : ''}`;
}

const QUESTION_HEADER = ['ID', 'APPROVED', 'CORRECT', 'FLAGS', 'PRECISE', 'ROUNDS', 'TOKENS', 'COST', 'LATENCY', 'RUN'];

/** The human report of one eval: the question table, notes on what failed, the totals and the gates. */
export function formatReport(document: EvalDocument, suite?: Pick<Suite, 'thresholds' | 'questions'>): string {
  const notes = questionNotes(document.results, (id) => suite?.questions.find((question) => question.id === id));
  const lines = [
    `Suite ${terminalLine(document.suite.name)}: ${document.results.length} question(s) on ${terminalLine(describeConfig(document))} in ${formatDuration(document.durationMs)}`,
    '',
    table(QUESTION_HEADER, document.results.map(questionRow)),
    ...(notes.length ? ['', ...notes] : []),
    '',
    'Totals',
    ...totalsRows(document).map(([label, value]) => `  ${label.padEnd(26)} ${value}`),
    '',
    ...(suite ? [thresholdsLine(suite)] : []),
    verdictLine(document.passed, document.failures),
    '',
    // The runs live in the evaluated config's data directory, which need not be the working directory's.
    `Runs are recorded in ${terminalLine(document.config.dataDir)}: baton show <run>${document.config.file ? ` --config ${terminalLine(document.config.file)}` : ''}`,
  ];
  return lines.join('\n');
}

/** A question's outcome in one cell: approved or the status, correct or the flag, precise/cited. */
function questionCell(result: QuestionResult | undefined): string {
  if (!result) return '(not run)';
  if (!result.approved) return `${NO} ${result.status}`;
  const flag = flagsOf(result) || (result.correct ? 'correct' : 'n/a');
  return `${YES} ${flag} ${result.preciseCitations}/${result.citations}`;
}

/** Two evals side by side: the totals (current | other | delta) and the questions whose outcome differs. */
export function formatComparison(current: EvalDocument, other: EvalDocument): string {
  const delta = (left: number, right: number, digits = 0) => {
    const difference = right - left;
    if (Math.abs(difference) < 1e-12) return '0';
    return `${difference > 0 ? '+' : ''}${difference.toFixed(digits)}`;
  };
  const points = (left: number, right: number) => `${delta(left * 100, right * 100, 1)} pts`;
  const [a, b] = [current.totals, other.totals];
  const deltas = [
    delta(a.approved, b.approved),
    points(a.approvedCorrect.share, b.approvedCorrect.share),
    delta(a.wrongButApproved, b.wrongButApproved),
    delta(a.unanswerableButApproved, b.unanswerableButApproved),
    points(a.citationPrecision.share, b.citationPrecision.share),
    delta(a.failed, b.failed),
    delta(a.rounds.total, b.rounds.total),
    delta(a.tokens.total, b.tokens.total),
    b.cost.totalUsd === a.cost.totalUsd ? '0' : `${b.cost.totalUsd > a.cost.totalUsd ? '+' : '-'}${formatCost(Math.abs(b.cost.totalUsd - a.cost.totalUsd))}`,
    `${delta(a.latency.p50Ms, b.latency.p50Ms)} / ${delta(a.latency.p95Ms, b.latency.p95Ms)} ms`,
  ];
  const left = totalsRows(current);
  const right = totalsRows(other);
  const rows = left.map(([label, value], index) => [label, value, right[index]?.[1] ?? '', deltas[index] ?? '']);
  rows.push(['gates', current.passed ? 'PASSED' : 'FAILED', other.passed ? 'PASSED' : 'FAILED', '']);
  const otherById = new Map(other.results.map((result) => [result.id, result]));
  const differing = current.results.filter((result) => questionCell(result) !== questionCell(otherById.get(result.id)));
  const lines = [
    `Suite ${terminalLine(current.suite.name)}: ${current.suite.questions} question(s)`,
    `  current: ${terminalLine(describeConfig(current))}`,
    `  other:   ${terminalLine(describeConfig(other))}`,
    '',
    // Trimmed: the gates row has no delta, and a padded empty cell would leave trailing spaces.
    table(['TOTALS', 'CURRENT', 'OTHER', 'DELTA'], rows).split('\n').map((line) => line.trimEnd()).join('\n'),
    '',
    differing.length
      ? `Questions whose outcome differs\n${table(['ID', 'CURRENT', 'OTHER', 'RUNS'], differing.map((result) => [result.id, questionCell(result), questionCell(otherById.get(result.id)), `${result.runId ?? '-'} ${otherById.get(result.id)?.runId ?? '-'}`]))}`
      : 'Every question has the same outcome on both configs.',
    '',
    `current: ${verdictLine(current.passed, current.failures)}`,
    `other: ${verdictLine(other.passed, other.failures)}`,
  ];
  return lines.join('\n');
}
