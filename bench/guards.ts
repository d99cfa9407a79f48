/**
 * `npm run bench -- guards`: what the guards buy and cost, each figure beside its baseline in the same run.
 * - Attack success on the injection suite with the obedient model, guards off vs on (see bench/guards-suite).
 * - Utility: benign twins completed, off vs on.
 * - Detector false positives on the sample knowledge base and the shipped eval corpus (every passage as ingested).
 * - Guard overhead per model call (no classifier): a researcher-like call (a search tool returning six passages, then
 *   the answer) through `generateStructured` with the run's guard and without, alternating, median per model call.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { GuardsConfig } from '../src/guards/config.js';
import { heuristicDetector } from '../src/guards/heuristics.js';
import { runGuard } from '../src/guards/setup.js';
import { guardedRunner, screenPassages } from '../src/guards/tool-results.js';
import { PACKAGE_ROOT } from '../src/config/load.js';
import { ScriptedModel } from '../src/models/scripted.js';
import { generateStructured, type ToolRunner } from '../src/roles/structured.js';
import { falsePositiveRate, type FalsePositiveReport } from './guard-false-positives.js';
import { formatSuiteReport, runInjectionSuite } from './guards-suite/index.js';
import type { Totals } from './guards-suite/harness.js';

export interface GuardsBenchReport {
  suite: { off: Totals; structure?: Totals; on: Totals };
  falsePositives: Array<{ corpus: string } & Omit<FalsePositiveReport, 'examples'> & { examples: FalsePositiveReport['examples'] }>;
  overhead: { callsPerSample: number; samples: number; baselineMedianMs: number; guardedMedianMs: number; overheadMedianMs: number };
}

const Answer = z.object({ claims: z.array(z.object({ text: z.string(), quote: z.string() })), gaps: z.array(z.string()) });

/** Six passages of the sample knowledge base, as search_docs returns them. */
function samplePassages(): Array<{ chunkId: string; source: string; location: { startLine: number; endLine: number }; text: string }> {
  const folder = path.join(PACKAGE_ROOT, 'examples', 'knowledge');
  const text = readFileSync(path.join(folder, 'baton-overview.md'), 'utf8');
  const paragraphs = text.split(/\n\s*\n/).filter((paragraph) => paragraph.trim().length > 80);
  return Array.from({ length: 6 }, (_, index) => ({ chunkId: `c${index}`, source: 'examples/knowledge/baton-overview.md', location: { startLine: index * 5 + 1, endLine: index * 5 + 4 }, text: paragraphs[index % paragraphs.length]!.slice(0, 900) }));
}

async function oneCall(guarded: boolean, passages: ReturnType<typeof samplePassages>): Promise<number> {
  const guard = runGuard(GuardsConfig.parse({}), 'bench-run', 'seed', [heuristicDetector]);
  const quote = passages[0]!.text.slice(0, 60);
  const model = new ScriptedModel([{ toolCalls: [{ id: 't1', name: 'search_docs', arguments: { query: 'what is baton' } }] }, JSON.stringify({ claims: [{ text: 'Baton orchestrates roles.', quote }], gaps: [] })]);
  const base: ToolRunner = { specs: [{ name: 'search_docs', description: 'search', parameters: { type: 'object' } }], run: async () => ({ content: JSON.stringify(passages), record: { name: 'search_docs', arguments: {}, resultSummary: '6 passages', durationMs: 0 } }) };
  const started = performance.now();
  const events: unknown[] = [];
  const shown = guarded ? await screenPassages(passages, guard, (event) => events.push(event)) : passages;
  const prompt = guarded ? String(guard.markJson('search_docs', shown, 2)) : JSON.stringify(shown, null, 2);
  const tools = guarded ? guardedRunner(base, guard, { onEvent: (event) => events.push(event), read: new Set(), cache: new Map() }) : base;
  await generateStructured({
    role: 'researcher',
    model,
    request: { task: { kind: 'generic', role: 'researcher', goal: 'g', plan: null, findings: [], draft: null, verdicts: [], writesDraft: false }, messages: [{ role: 'system', content: `You are the Researcher.${guarded ? `\n\n${guard.systemText()}` : ''}` }, { role: 'user', content: prompt }], signal: new AbortController().signal },
    schema: Answer,
    schemaName: 'findings',
    maxRetries: 0,
    tools,
    maxToolCalls: 2,
    now: () => performance.now(),
    ...(guarded ? { guard } : {}),
  });
  return performance.now() - started;
}

const median = (values: number[]): number => [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)]!;

export async function runGuardsBench(options: { samples?: number; suite?: boolean } = {}): Promise<GuardsBenchReport> {
  const passages = samplePassages();
  const samples = options.samples ?? 2000;
  for (let index = 0; index < 200; index += 1) {
    await oneCall(false, passages);
    await oneCall(true, passages);
  }
  const baseline: number[] = [];
  const guarded: number[] = [];
  for (let index = 0; index < samples; index += 1) {
    // Alternating, so drift and GC hit both the same.
    baseline.push(await oneCall(false, passages));
    guarded.push(await oneCall(true, passages));
  }
  const callsPerSample = 2;
  const overhead = {
    callsPerSample,
    samples,
    baselineMedianMs: median(baseline) / callsPerSample,
    guardedMedianMs: median(guarded) / callsPerSample,
    overheadMedianMs: median(guarded.map((value, index) => value - baseline[index]!)) / callsPerSample,
  };
  const corpora = [
    { corpus: 'sample knowledge (examples/knowledge, the inquiry policies)', paths: [path.join(PACKAGE_ROOT, 'examples', 'knowledge'), path.join(PACKAGE_ROOT, 'examples', 'customer-inquiry', 'policies')] },
    // The fastify eval suite's knowledge: the fastify docs as installed (eval/fastify/baton.config.yaml).
    { corpus: 'eval corpus (node_modules/fastify/docs)', paths: [path.join(PACKAGE_ROOT, 'node_modules', 'fastify', 'docs')] },
  ];
  const falsePositives = [];
  for (const { corpus, paths } of corpora) falsePositives.push({ corpus, ...(await falsePositiveRate(paths)) });
  const suite = options.suite === false ? { off: emptyTotals(), on: emptyTotals() } : await runInjectionSuite();
  return { suite, falsePositives, overhead };
}

function emptyTotals(): Totals {
  return { tasks: 0, attacksSucceeded: 0, sideEffectsForAttacker: 0, awaitingApproval: 0, fabricatedSourcesApproved: 0, systemPromptLeaks: 0, canaryLeaks: 0, twinsCompleted: 0, byGoal: {} };
}

export function formatGuardsReport(report: GuardsBenchReport): string {
  const { overhead } = report;
  return [
    formatSuiteReport(report.suite),
    '',
    'Detector false positives (heuristics; every passage as the knowledge base chunks it)',
    ...report.falsePositives.map((entry) => `  ${entry.corpus.padEnd(48)} ${entry.flagged}/${entry.passages} passages (${(entry.rate * 100).toFixed(2)}%)${entry.examples.length ? `: ${entry.examples.slice(0, 3).map((example) => `${example.source} ${example.rule}`).join('; ')}` : ''}`),
    '',
    `Guard overhead per model call (no classifier; ${overhead.samples} researcher calls with a six-passage search, alternating)`,
    `  without guards ${overhead.baselineMedianMs.toFixed(3)} ms, with guards ${overhead.guardedMedianMs.toFixed(3)} ms: +${overhead.overheadMedianMs.toFixed(3)} ms median per model call (target <= 0.5 ms)`,
  ].join('\n');
}
