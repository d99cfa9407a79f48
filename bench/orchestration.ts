/**
 * Orchestration overhead per agent turn: Baton's supervised graph (supervisor bookkeeping, validated state, transcript
 * write per turn) against a bare LangGraph graph of the same three nodes with no transcript, both driving the same
 * zero-latency scripted model in the same process.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { loadProject } from '../src/config/load.js';
import { ScriptedModel } from '../src/models/scripted.js';
import type { ModelRequest } from '../src/models/types.js';
import { openRuntime } from '../src/runtime/open.js';
import { runGoal } from '../src/runtime/run.js';

const FACT = 'The harbour light is lit every night at dusk.';

const REPLIES: Record<string, string> = {
  plan: JSON.stringify({ steps: [{ id: 's1', question: 'When is the harbour light lit?' }] }),
  research: JSON.stringify({ claims: [{ text: FACT, citations: [{ source: 'kb/harbour.md', quote: FACT }] }], gaps: [] }),
  check: JSON.stringify({ decision: 'approve', objections: [] }),
};

/** The same fixed reply and usage for both variants, so the model's own cost is identical and near zero. */
function reply(request: ModelRequest): { text: string; usage: { inputTokens: number; outputTokens: number } } {
  return { text: REPLIES[request.task.kind] ?? '{"message":"ok"}', usage: { inputTokens: 100, outputTokens: 20 } };
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
}

async function timeRuns(count: number, once: () => Promise<void>): Promise<number[]> {
  for (let index = 0; index < 20; index += 1) await once();
  const samples: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const started = performance.now();
    await once();
    samples.push(performance.now() - started);
  }
  return samples.sort((left, right) => left - right);
}

export interface OrchestrationReport {
  runs: number;
  turnsPerRun: number;
  bareMedianPerTurnMs: number;
  batonMedianPerTurnMs: number;
  batonCheckpointedMedianPerTurnMs: number;
  bareP99PerTurnMs: number;
  batonP99PerTurnMs: number;
  ratio: number;
  heapPerRunPairKb: number;
}

export async function runOrchestrationBench(runs = 600): Promise<OrchestrationReport> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'baton-bench-'));
  try {
    writeFileSync(path.join(root, 'baton.config.yaml'), 'knowledge:\n  paths: [kb]\n');
    mkdirSync(path.join(root, 'kb'));
    writeFileSync(path.join(root, 'kb', 'harbour.md'), `# Harbour\n\n${FACT}\n`);
    const project = loadProject({ cwd: root, env: {} });
    const model = new ScriptedModel((request) => reply(request));
    const baton = openRuntime(project, { env: {}, modelOverrides: { offline: model }, checkpoints: false });
    const checkpointed = openRuntime({ ...project, dataDir: path.join(root, '.baton-checkpointed') }, { env: {}, modelOverrides: { offline: model } });

    // The baseline: the same three nodes calling the same model, plain LangGraph, no supervisor and no transcript.
    const BareState = Annotation.Root({
      goal: Annotation<string>(),
      plan: Annotation<unknown>(),
      findings: Annotation<unknown[]>({ reducer: (left, right) => left.concat(right), default: () => [] }),
      verdict: Annotation<unknown>(),
    });
    const call = async (kind: 'plan' | 'research' | 'check'): Promise<unknown> => {
      const response = await model.generate({ task: { kind } as ModelRequest['task'], messages: [{ role: 'user', content: kind }] });
      return JSON.parse(response.text);
    };
    const bare = new StateGraph(BareState)
      .addNode('planner', async () => ({ plan: await call('plan') }))
      .addNode('researcher', async () => ({ findings: [await call('research')] }))
      .addNode('checker', async () => ({ verdict: await call('check') }))
      .addEdge(START, 'planner')
      .addEdge('planner', 'researcher')
      .addEdge('researcher', 'checker')
      .addEdge('checker', END)
      .compile();

    const turnsPerRun = 3;
    const runBare = async (): Promise<void> => {
      await bare.invoke({ goal: 'When is the harbour light lit?' });
    };
    const runBaton = async (): Promise<void> => {
      const outcome = await runGoal(baton, { goal: 'When is the harbour light lit?' });
      if (outcome.status !== 'approved') throw new Error(`bench run ended ${outcome.status}`);
    };
    // Interleaved, so both variants see the same machine load and the same JIT state.
    for (let index = 0; index < 30; index += 1) {
      await runBare();
      await runBaton();
    }
    const bareSamples: number[] = [];
    const batonSamples: number[] = [];
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    for (let index = 0; index < runs; index += 1) {
      let started = performance.now();
      await runBare();
      bareSamples.push(performance.now() - started);
      started = performance.now();
      await runBaton();
      batonSamples.push(performance.now() - started);
    }
    global.gc?.();
    const heapAfter = process.memoryUsage().heapUsed;
    bareSamples.sort((left, right) => left - right);
    batonSamples.sort((left, right) => left - right);
    const checkpointedSamples = await timeRuns(Math.min(runs, 100), async () => {
      await runGoal(checkpointed, { goal: 'When is the harbour light lit?' });
    });
    baton.close();
    checkpointed.close();
    const bareMedian = percentile(bareSamples, 0.5) / turnsPerRun;
    const batonMedian = percentile(batonSamples, 0.5) / turnsPerRun;
    return {
      runs,
      turnsPerRun,
      bareMedianPerTurnMs: bareMedian,
      batonMedianPerTurnMs: batonMedian,
      batonCheckpointedMedianPerTurnMs: percentile(checkpointedSamples, 0.5) / turnsPerRun,
      bareP99PerTurnMs: percentile(bareSamples, 0.99) / turnsPerRun,
      batonP99PerTurnMs: percentile(batonSamples, 0.99) / turnsPerRun,
      ratio: batonMedian / bareMedian,
      heapPerRunPairKb: Math.max(0, heapAfter - heapBefore) / 1024 / runs,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export function formatOrchestrationReport(report: OrchestrationReport): string {
  const row = (name: string, median: number, p99: number | string) => `  ${name.padEnd(44)} ${median.toFixed(3).padStart(8)} ms ${typeof p99 === 'number' ? p99.toFixed(3).padStart(8) : p99.padStart(8)} ms`;
  return [
    `Orchestration overhead per agent turn (${report.runs} runs x ${report.turnsPerRun} turns, zero-latency scripted model)`,
    `  ${'variant'.padEnd(44)} ${'median'.padStart(11)} ${'p99'.padStart(11)}`,
    row('bare LangGraph, 3 nodes, no transcript', report.bareMedianPerTurnMs, report.bareP99PerTurnMs),
    row('Baton: supervisor + state + transcript', report.batonMedianPerTurnMs, report.batonP99PerTurnMs),
    row('Baton + LangGraph SQLite checkpointer', report.batonCheckpointedMedianPerTurnMs, '-'),
    `  ratio Baton / bare: ${report.ratio.toFixed(2)}x (target <= 1.5x)`,
    `  heap retained per run pair: ${report.heapPerRunPairKb.toFixed(1)} KB`,
  ].join('\n');
}
