/**
 * Orchestration overhead per agent turn. Baton's supervised graph (supervisor bookkeeping, validated state, routing,
 * transcript write per turn) runs interleaved, in the same process, with two bare LangGraph graphs of the same three
 * nodes and no transcript, all driving the same zero-latency scripted model:
 * - "same role work": the bare nodes run Baton's own planner, researcher and checker (prompt rendering, search,
 *   structured-output parsing, evidence check) with a direct model, so the difference is what the orchestration adds;
 * - "trivial nodes": the bare nodes only call the model and parse its reply, the floor of any LangGraph flow.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { loadProject, type Stage } from '../src/config/load.js';
import { composeDraft } from '../src/graph/compose.js';
import type { RunStateValue } from '../src/graph/state.js';
import { ScriptedModel } from '../src/models/scripted.js';
import type { ModelRequest } from '../src/models/types.js';
import type { RoleContext } from '../src/roles/context.js';
import { runChecker, runPlanner, runResearcher } from '../src/roles/run.js';
import { openRuntime, type Runtime } from '../src/runtime/open.js';
import { runGoal } from '../src/runtime/run.js';

const FACT = 'The harbour light is lit every night at dusk.';
/** The goal every run of this bench (and of the workers bench's per-turn part) pursues. */
export const GOAL = 'When is the harbour light lit?';

const REPLIES: Record<string, string> = {
  plan: JSON.stringify({ steps: [{ id: 's1', question: GOAL }] }),
  research: JSON.stringify({ claims: [{ text: FACT, citations: [{ source: 'kb/harbour.md', quote: FACT }] }], gaps: [] }),
  check: JSON.stringify({ decision: 'approve', objections: [] }),
};

/** The same fixed reply and usage for every variant, so the model's own cost is identical and near zero. */
export function reply(request: ModelRequest): { text: string; usage: { inputTokens: number; outputTokens: number } } {
  return { text: REPLIES[request.task.kind] ?? '{"message":"ok"}', usage: { inputTokens: 100, outputTokens: 20 } };
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
}

export interface VariantFigures {
  name: string;
  medianPerTurnMs: number;
  p99PerTurnMs: number;
}

export interface OrchestrationReport {
  runs: number;
  turnsPerRun: number;
  variants: VariantFigures[];
  /** Baton over the bare graph doing the same role work: the orchestration overhead the target is about. */
  ratioSameWork: number;
  /** Baton over the bare graph with trivial nodes. */
  ratioTrivial: number;
  heapPerRunKb: number;
}

/** A bare graph whose nodes run Baton's role functions with a direct model: no supervisor, routing or transcript. */
export function sameWorkGraph(runtime: Runtime, model: ScriptedModel) {
  const stageOf = (kind: Stage['kind']): Stage => runtime.project.stages.find((stage) => stage.kind === kind)!;
  const context = (stage: Stage): RoleContext => ({
    stage,
    model,
    limits: runtime.project.config.limits,
    checks: runtime.project.config.checks,
    tools: runtime.tools,
    evidence: runtime.evidence,
    fetchPolicy: runtime.project.config.tools.fetch,
    sourceCache: new Map(),
    signal: new AbortController().signal,
    images: [],
    meter: { events: [], costUsd: 0 },
    now: () => performance.now(),
  });
  const State = Annotation.Root({
    runId: Annotation<string>(),
    goal: Annotation<string>(),
    round: Annotation<number>(),
    plan: Annotation<RunStateValue['plan']>(),
    findings: Annotation<RunStateValue['findings']>({ reducer: (left, right) => left.concat(right), default: () => [] }),
    sourcesRead: Annotation<string[]>({ reducer: (left, right) => [...new Set([...left, ...right])], default: () => [] }),
    verdicts: Annotation<RunStateValue['verdicts']>({ reducer: (left, right) => left.concat(right), default: () => [] }),
  });
  const asRunState = (state: typeof State.State): RunStateValue => ({ ...state, draft: null, messages: [], usage: [], status: 'running', error: null, fetched: {}, outputs: {}, tainted: false, flagged: [], guardSeed: '', turnKeys: [] });
  return new StateGraph(State)
    .addNode('planner', async (state) => {
      const outcome = await runPlanner(asRunState(state), context(stageOf('planner')));
      return { plan: outcome.plan ?? null, round: outcome.round ?? state.round };
    })
    .addNode('researcher', async (state) => {
      const outcome = await runResearcher(asRunState(state), state.plan!.steps[0]!, context(stageOf('researcher')));
      return { findings: outcome.finding ? [outcome.finding] : [], sourcesRead: outcome.sourcesRead ?? [] };
    })
    .addNode('checker', async (state) => {
      const draft = { round: state.round, text: composeDraft(state.plan!, state.findings).text, author: 'supervisor' };
      const outcome = await runChecker(asRunState(state), draft, context(stageOf('checker')));
      if (outcome.verdict?.decision !== 'approve') throw new Error('the same-work baseline was not approved');
      return { verdicts: outcome.verdict ? [outcome.verdict] : [] };
    })
    .addEdge(START, 'planner')
    .addEdge('planner', 'researcher')
    .addEdge('researcher', 'checker')
    .addEdge('checker', END)
    .compile();
}

/** A bare graph whose nodes only call the model and parse the reply. */
function trivialGraph(model: ScriptedModel) {
  const State = Annotation.Root({
    goal: Annotation<string>(),
    plan: Annotation<unknown>(),
    findings: Annotation<unknown[]>({ reducer: (left, right) => left.concat(right), default: () => [] }),
    verdict: Annotation<unknown>(),
  });
  const call = async (kind: 'plan' | 'research' | 'check'): Promise<unknown> => {
    const response = await model.generate({ task: { kind } as ModelRequest['task'], messages: [{ role: 'user', content: kind }] });
    return JSON.parse(response.text);
  };
  return new StateGraph(State)
    .addNode('planner', async () => ({ plan: await call('plan') }))
    .addNode('researcher', async () => ({ findings: [await call('research')] }))
    .addNode('checker', async () => ({ verdict: await call('check') }))
    .addEdge(START, 'planner')
    .addEdge('planner', 'researcher')
    .addEdge('researcher', 'checker')
    .addEdge('checker', END)
    .compile();
}

/** Writes this bench's project into `root`: the knowledge file the scripted researcher quotes, and `extraConfig` lines. */
export function writeBenchProject(root: string, extraConfig: string[] = []): void {
  writeFileSync(path.join(root, 'baton.config.yaml'), ['knowledge:', '  paths: [kb]', ...extraConfig, ''].join('\n'));
  mkdirSync(path.join(root, 'kb'), { recursive: true });
  writeFileSync(path.join(root, 'kb', 'harbour.md'), `# Harbour\n\n${FACT}\n`);
}

export async function runOrchestrationBench(runs = 600): Promise<OrchestrationReport> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'baton-bench-'));
  try {
    writeBenchProject(root);
    const project = loadProject({ cwd: root, env: {} });
    const model = new ScriptedModel((request) => reply(request));
    const baton = await openRuntime(project, { env: {}, modelOverrides: { offline: model }, checkpoints: false });
    const checkpointed = await openRuntime({ ...project, dataDir: path.join(root, '.baton-checkpointed') }, { env: {}, modelOverrides: { offline: model } });
    // The same runtime with the guards off: what spotlighting, the canary and the detectors cost per turn.
    const unguarded = await openRuntime({ ...project, dataDir: path.join(root, '.baton-unguarded'), config: { ...project.config, guards: { ...project.config.guards, enabled: false } } }, { env: {}, modelOverrides: { offline: model }, checkpoints: false });
    const sameWork = sameWorkGraph(baton, model);
    const trivial = trivialGraph(model);

    const variants: Array<{ name: string; once: () => Promise<void>; samples: number[] }> = [
      { name: 'bare LangGraph, trivial nodes', once: async () => void (await trivial.invoke({ goal: GOAL })), samples: [] },
      { name: 'bare LangGraph, same role work', once: async () => void (await sameWork.invoke({ runId: 'bench', goal: GOAL, round: 0, plan: null })), samples: [] },
      {
        name: 'Baton: supervisor + state + transcript',
        once: async () => {
          const outcome = await runGoal(baton, { goal: GOAL });
          if (outcome.status !== 'approved') throw new Error(`bench run ended ${outcome.status}`);
        },
        samples: [],
      },
      { name: 'Baton + LangGraph SQLite checkpointer', once: async () => void (await runGoal(checkpointed, { goal: GOAL })), samples: [] },
      { name: 'Baton with guards off', once: async () => void (await runGoal(unguarded, { goal: GOAL })), samples: [] },
    ];
    // Interleaved, so every variant sees the same machine load and the same JIT state.
    for (let index = 0; index < 30; index += 1) for (const variant of variants) await variant.once();
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    for (let index = 0; index < runs; index += 1) {
      for (const variant of variants) {
        const started = performance.now();
        await variant.once();
        variant.samples.push(performance.now() - started);
      }
    }
    global.gc?.();
    const heapAfter = process.memoryUsage().heapUsed;
    await baton.close();
    await checkpointed.close();
    await unguarded.close();
    const turnsPerRun = 3;
    const figures = variants.map((variant) => {
      const sorted = [...variant.samples].sort((left, right) => left - right);
      return { name: variant.name, medianPerTurnMs: percentile(sorted, 0.5) / turnsPerRun, p99PerTurnMs: percentile(sorted, 0.99) / turnsPerRun };
    });
    const [trivialFigures, sameWorkFigures, batonFigures] = figures as [VariantFigures, VariantFigures, VariantFigures];
    return {
      runs,
      turnsPerRun,
      variants: figures,
      ratioSameWork: batonFigures.medianPerTurnMs / sameWorkFigures.medianPerTurnMs,
      ratioTrivial: batonFigures.medianPerTurnMs / trivialFigures.medianPerTurnMs,
      heapPerRunKb: Math.max(0, heapAfter - heapBefore) / 1024 / (runs * variants.length),
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export function formatOrchestrationReport(report: OrchestrationReport): string {
  return [
    `Orchestration overhead per agent turn (${report.runs} runs x ${report.turnsPerRun} turns per variant, interleaved, zero-latency scripted model)`,
    `  ${'variant'.padEnd(44)} ${'median'.padStart(11)} ${'p99'.padStart(11)}`,
    ...report.variants.map((variant) => `  ${variant.name.padEnd(44)} ${variant.medianPerTurnMs.toFixed(3).padStart(8)} ms ${variant.p99PerTurnMs.toFixed(3).padStart(8)} ms`),
    `  ratio Baton / bare graph with the same role work: ${report.ratioSameWork.toFixed(2)}x (target <= 1.5x)`,
    `  ratio Baton / bare graph with trivial nodes:      ${report.ratioTrivial.toFixed(2)}x`,
    `  heap retained per run: ${report.heapPerRunKb.toFixed(1)} KB`,
  ].join('\n');
}
