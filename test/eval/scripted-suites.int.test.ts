/**
 * Both shipped eval suites (eval/knowledge, eval/fastify), run in-process the way `baton eval` runs them (runSuite
 * over runGoal on each suite's own config), with a scripted model standing in for an LLM (test/eval/scripted-model.ts):
 *
 * - the Planner is the offline engine;
 * - the Researcher is capable but sloppy: it knows the suite question, quotes verbatim the passage sentence(s) that hold
 *   the expected facts when the passages it was shown have them, and in round 1 adds a distractor: a real sentence,
 *   quoted verbatim, that holds none of the facts. For unanswerable questions it only ever returns distractors (one or
 *   two per step, a different pick each round), in every round. The round is read from the planner's task;
 * - the Checker approves everything it is shown.
 *
 * So whatever keeps a wrong or unanswerable answer from being approved here is the deterministic checks (quote,
 * support, relevance, coverage, duplication): the model that should catch it never does. A run shows the checks
 * catching the distractor in round 1 (every failed claim is an objection, so the round is rejected), the offline
 * planner revising, and the clean answer of round 2 approved or not.
 *
 * Asserted: no wrong answer and no unanswerable question approved, no run failed, and every run whose round 1 carried a
 * distractor has its first checker turn rejected with a support, relevance or step-unsupported objection. The shares
 * (approved and correct, citation precision) are printed, one line per suite, not asserted: the checks are being
 * tuned, and the lead copies the figures into the README.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load.js';
import { runSuite, type EvalReport } from '../../src/eval/runner.js';
import { loadSuite, type Suite } from '../../src/eval/suite.js';
import type { CheckerTurnOutput } from '../../src/roles/checker-output.js';
import { openRuntime, type Runtime } from '../../src/runtime/open.js';
import { runGoal } from '../../src/runtime/run.js';
import { sloppyModel, type ResearchLog } from './scripted-model.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CAUGHT = new Set(['relevance', 'support', 'step-unsupported']);

interface ClaimRecord {
  text: string;
  citations: Array<{ source: string; quote: string }>;
}

/** The claims each researcher turn of a run returned, as `round step: claim [source: "quote"]` lines. */
async function claimsOf(runtime: Runtime, runId: string): Promise<string[]> {
  const turns = await runtime.store.turns(runId);
  return turns
    .filter((turn) => turn.kind === 'researcher')
    .flatMap((turn) =>
      ((turn.output as { claims?: ClaimRecord[] } | undefined)?.claims ?? []).map(
        (claim) => `round ${turn.round} ${turn.stepId ?? '?'}: ${claim.text} ${claim.citations.map((citation) => `[${citation.source}: "${citation.quote.replace(/\s+/g, ' ')}"]`).join(' ')}`,
      ),
    );
}

/** Why each wrongly approved question was approved: its answer, missing facts and every claim the researcher made. */
async function approvalFindings(runtime: Runtime, report: EvalReport, suite: Suite): Promise<string[]> {
  const findings: string[] = [];
  for (const result of report.results.filter((candidate) => candidate.wrongButApproved || candidate.unanswerableButApproved)) {
    const question = suite.questions.find((candidate) => candidate.id === result.id);
    findings.push(
      [
        `${result.id} (${result.wrongButApproved ? 'WRONG but approved' : 'UNANSWERABLE but approved'}) run ${result.runId ?? '-'}`,
        `  question: ${result.question}`,
        ...(result.wrongButApproved ? [`  missing facts: ${result.missingFacts.join('; ') || '-'}; expected source cited: ${result.expectedSourceCited}`] : [`  why unanswerable: ${question?.why ?? ''}`]),
        `  answer: ${result.answer ?? ''}`,
        ...(result.runId ? (await claimsOf(runtime, result.runId)).map((line) => `  ${line}`) : []),
      ].join('\n'),
    );
  }
  return findings;
}

/** Runs whose round 1 carried a distractor but whose first checker turn did not reject it. */
async function distractorsMissed(runtime: Runtime, report: EvalReport, log: ReadonlyMap<string, ResearchLog>): Promise<string[]> {
  const missed: string[] = [];
  for (const result of report.results) {
    if (!result.runId || !log.get(result.question)?.distractorRounds.has(1)) continue;
    const checkers = (await runtime.store.turns(result.runId)).filter((turn) => turn.kind === 'checker').sort((left, right) => left.seq - right.seq);
    const first = checkers[0];
    const output = first?.output as CheckerTurnOutput | undefined;
    const kinds = output?.objections.map((objection) => objection.kind) ?? [];
    if (first?.round === 1 && output?.decision === 'reject' && kinds.some((kind) => CAUGHT.has(kind))) continue;
    missed.push(
      [
        `${result.id} run ${result.runId}: first checker turn (round ${first?.round ?? '-'}) ${output?.decision ?? 'missing'}${kinds.length ? ` with ${kinds.join(', ')}` : ''}`,
        ...(output?.objections.map((objection) => `  objection ${objection.kind}: ${objection.message}`) ?? []),
        ...(await claimsOf(runtime, result.runId)).filter((line) => line.startsWith('round 1 ')).map((line) => `  ${line}`),
      ].join('\n'),
    );
  }
  return missed;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/** One line of figures for the README. */
function figures(name: string, report: EvalReport, log: ReadonlyMap<string, ResearchLog>, missed: number): string {
  const { totals } = report;
  const answerable = report.results.filter((result) => result.answerable);
  const found = answerable.filter((result) => log.get(result.question)?.answerRounds.has(1)).length;
  const distracted = report.results.filter((result) => log.get(result.question)?.distractorRounds.has(1)).length;
  return [
    `[scripted model] suite ${name}: ${totals.questions} questions (${totals.answerable} answerable, ${totals.unanswerable} unanswerable)`,
    `approved ${totals.approved}/${totals.questions}`,
    `approved and correct ${totals.approvedCorrect.count}/${totals.answerable} (${percent(totals.approvedCorrect.share)})`,
    `wrong but approved ${totals.wrongButApproved}`,
    `unanswerable but approved ${totals.unanswerableButApproved}`,
    `citation precision ${totals.citationPrecision.precise}/${totals.citationPrecision.cited} (${percent(totals.citationPrecision.share)})`,
    `failed ${totals.failed}`,
    `mean rounds ${totals.rounds.mean.toFixed(2)}`,
    `facts in the round-1 passages ${found}/${answerable.length}`,
    `round-1 distractors rejected ${distracted - missed}/${distracted}`,
    `in ${(report.durationMs / 1000).toFixed(1)} s`,
  ].join(', ');
}

describe.each([
  { name: 'knowledge', file: 'eval/knowledge/suite.yaml' },
  { name: 'fastify', file: 'eval/fastify/suite.yaml' },
])('the $name suite through a sloppy researcher and a checker model that approves everything', ({ name, file }) => {
  it('approves no wrong or unanswerable answer, and the checks catch the round-1 distractors', async () => {
    const suite = loadSuite(path.join(ROOT, file), ROOT);
    expect(suite.configFile, `${file} names its config`).toBeDefined();
    // The runs' store, checkpoints and logs go to a temporary folder, not the suite's .baton.
    const dataDir = mkdtempSync(path.join(os.tmpdir(), `baton-eval-${name}-`));
    const { model, log } = sloppyModel(suite.questions);
    let runtime: Runtime | undefined;
    try {
      const project = loadProject({ cwd: path.dirname(suite.file), configFile: suite.configFile!, env: {}, dataDir });
      runtime = await openRuntime(project, { env: {}, modelOverrides: { offline: model }, sleep: async () => undefined });
      const opened = runtime;
      const report = await runSuite({
        suite,
        concurrency: 4,
        runQuestion: (question) => runGoal(opened, { goal: question.question, tags: { kind: 'eval', suite: suite.name, question: question.id } }),
      });
      const missed = await distractorsMissed(runtime, report, log);
      console.log(figures(name, report, log, missed.length));

      expect(report.results).toHaveLength(suite.questions.length);
      const failed = report.results.filter((result) => result.status === 'failed').map((result) => `${result.id}: ${result.error?.code ?? ''}: ${result.error?.message ?? ''}`);
      expect(failed, 'runs that failed (the scripted model or the runtime broke)').toEqual([]);
      // The researcher must actually have been sloppy, or the assertions below test nothing.
      expect([...log.values()].filter((entry) => entry.distractorRounds.has(1)).length).toBeGreaterThan(suite.questions.length / 2);

      // Soft: one run shows every answer the checks let through, not only the first.
      expect.soft(await approvalFindings(runtime, report, suite), 'answers the checks let through').toEqual([]);
      expect.soft(report.totals.wrongButApproved).toBe(0);
      expect.soft(report.totals.unanswerableButApproved).toBe(0);
      // A distractor is a real sentence of the passages, often on the question's topic ("the preParsing hook transforms
      // the payload before it is parsed" beside the right hook): lexical checks cannot refuse every one, and the README
      // says so. At most one in ten may pass in round 1; none may end in an approved wrong answer (above).
      const distracted = [...log.values()].filter((entry) => entry.distractorRounds.has(1)).length;
      expect.soft(missed.length, `round-1 distractors the checks did not reject:\n${missed.join('\n')}`).toBeLessThanOrEqual(Math.floor(distracted / 10));
    } finally {
      await runtime?.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
