/**
 * Router benchmark: how long one routing decision takes (a detector scan of a ~2 KB prompt plus `route` over 50
 * registered models), measured per decision over many iterations, next to a direct call to a zero-latency fake model
 * in the same process and run, so the overhead is compared with the cheapest possible model call. Target: a decision
 * under 0.2 ms at the median and p99.
 *
 * Run: `npx tsc -p tsconfig.build.json && node dist/bench/router.js`
 */
import { pathToFileURL } from 'node:url';
import { ModelSpec } from '../src/config/models.js';
import type { ChatMessage, ModelResponse } from '../src/models/types.js';
import { HealthTracker } from '../src/routing/health.js';
import { scanMessages } from '../src/routing/inspect.js';
import { RunLabels } from '../src/routing/needs.js';
import { callWithFallback } from '../src/routing/resilience.js';
import { rankedModels, route } from '../src/routing/router.js';

/** Per-operation timing in milliseconds. */
export interface Timing {
  medianMs: number;
  p99Ms: number;
  meanMs: number;
}

/** What {@link runRouterBench} measured. */
export interface RouterBenchReport {
  node: string;
  models: number;
  promptBytes: number;
  iterations: number;
  /** Detector scan + route: the whole decision made before every model call. */
  decision: Timing;
  scanOnly: Timing;
  routeOnly: Timing;
  /** `await fakeModel(messages)`: a model that answers instantly. */
  directFakeCall: Timing;
  /** Scan + route + `callWithFallback` around the same fake model. */
  routedFakeCall: Timing;
  targetMs: number;
  meetsTarget: boolean;
}

/** Options of {@link runRouterBench}. */
export interface RouterBenchOptions {
  iterations?: number;
  warmup?: number;
  models?: number;
}

/** A small deterministic generator so every run benchmarks the same registry. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** A registry with varied capabilities, zones, prices, latencies and tiers. */
export function benchRegistry(count: number): ModelSpec[] {
  const random = seeded(42);
  const extras = ['vision', 'tools', 'structured-output', 'transcription'] as const;
  return Array.from({ length: count }, (_, index) =>
    ModelSpec.parse({
      name: `model-${index}`,
      provider: 'openai-compatible',
      baseUrl: 'http://127.0.0.1:9/v1',
      model: `model-${index}`,
      capabilities: index % 10 === 9 ? ['embeddings'] : ['text', ...extras.filter(() => random() < 0.5)],
      zone: random() < 0.3 ? 'private' : 'external',
      pricing: { inputPerMillion: Math.round(random() * 1500) / 100, outputPerMillion: Math.round(random() * 6000) / 100 },
      latencyMs: 100 + Math.floor(random() * 5000),
      contextWindow: random() < 0.1 ? 4096 : 128_000,
      tier: 1 + Math.floor(random() * 3),
    }),
  );
}

/** A typical ~2 KB research prompt without secrets: every detector still scans all of it. */
export function benchPrompt(): string {
  const paragraph =
    'Step 2 of the plan asks how the 2023 revision of the procurement policy changed approval thresholds for ' +
    'framework contracts. Passage [kb:policy.md#4] says purchases above 50 000 EUR need two signatures, while ' +
    'passage [kb:faq.md#12] mentions a transition period until 30 June 2024. Cite every claim with its passage id, ' +
    'say when the sources disagree, and keep the answer under 200 words. ';
  let prompt = '';
  while (prompt.length < 2048) prompt += paragraph;
  return prompt.slice(0, 2048);
}

function timingOf(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (quantile: number): number => sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] ?? 0;
  const mean = samples.reduce((sum, value) => sum + value, 0) / Math.max(1, samples.length);
  return { medianMs: at(0.5), p99Ms: at(0.99), meanMs: mean };
}

async function measure(iterations: number, warmup: number, operation: () => unknown): Promise<Timing> {
  for (let index = 0; index < warmup; index += 1) {
    const result = operation();
    if (result instanceof Promise) await result;
  }
  const samples: number[] = new Array<number>(iterations);
  for (let index = 0; index < iterations; index += 1) {
    const start = process.hrtime.bigint();
    // Synchronous operations are not awaited, so their figures carry no microtask hop.
    const result = operation();
    if (result instanceof Promise) await result;
    samples[index] = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return timingOf(samples);
}

/** Runs the benchmark. Everything runs in this process, one operation at a time. */
export async function runRouterBench(options: RouterBenchOptions = {}): Promise<RouterBenchReport> {
  const iterations = options.iterations ?? 20_000;
  const warmup = options.warmup ?? 2_000;
  const registry = benchRegistry(options.models ?? 50);
  const prompt = benchPrompt();
  const messages: ChatMessage[] = [
    { role: 'system', content: 'You are the researcher of a verified multi-agent run.' },
    { role: 'user', content: prompt },
  ];
  const labels = RunLabels.parse({ priority: 'normal', budgetUsd: 5 });
  const health = new HealthTracker({ failureThreshold: 1 });
  // A few models in cooldown so the demotion path is part of what is measured.
  for (const name of ['model-3', 'model-17', 'model-31']) health.recordFailure(name, 'MODEL_HTTP: 503');
  const snapshot = health.snapshot();
  const needs = { role: 'researcher', capabilities: ['text' as const, 'tools' as const], tier: 2 as const, prefer: ['model-7', 'model-12'] };
  const fakeModel = async (input: readonly ChatMessage[]): Promise<ModelResponse> => ({
    text: input.length > 0 ? 'ok' : '',
    toolCalls: [],
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0, estimated: true },
    model: 'fake:zero',
    latencyMs: 0,
  });

  const decide = (): ReturnType<typeof route> => {
    const scan = scanMessages(messages);
    return route(
      { ...needs, detectedConfidential: scan.detectedConfidential, hasImage: scan.hasImage, estimatedInputTokens: scan.estimatedInputTokens },
      labels,
      registry,
      snapshot,
    );
  };
  const scan = scanMessages(messages);
  const routeNeeds = { ...needs, detectedConfidential: scan.detectedConfidential, estimatedInputTokens: scan.estimatedInputTokens };

  // Each operation gets its own warm-up so the JIT has settled before its samples are taken.
  const directFakeCall = await measure(iterations, warmup, () => fakeModel(messages));
  const decision = await measure(iterations, warmup, decide);
  const scanOnly = await measure(iterations, warmup, () => scanMessages(messages));
  const routeOnly = await measure(iterations, warmup, () => route(routeNeeds, labels, registry, snapshot));
  const routedFakeCall = await measure(iterations, warmup, () =>
    callWithFallback(rankedModels(decide(), registry), () => fakeModel(messages), { health, timeoutMs: 60_000 }),
  );
  const targetMs = 0.2;
  return {
    node: process.version,
    models: registry.length,
    promptBytes: Buffer.byteLength(prompt),
    iterations,
    decision,
    scanOnly,
    routeOnly,
    directFakeCall,
    routedFakeCall,
    targetMs,
    meetsTarget: decision.medianMs < targetMs && decision.p99Ms < targetMs,
  };
}

/** A plain-text table of a report. */
export function formatRouterBenchReport(report: RouterBenchReport): string {
  const row = (label: string, timing: Timing): string =>
    `${label.padEnd(34)} ${timing.medianMs.toFixed(4).padStart(9)} ${timing.p99Ms.toFixed(4).padStart(9)} ${timing.meanMs.toFixed(4).padStart(9)}`;
  return [
    `Router bench (node ${report.node}): ${report.models} models, ${report.promptBytes}-byte prompt, ${report.iterations} iterations each`,
    `${'operation'.padEnd(34)} ${'median ms'.padStart(9)} ${'p99 ms'.padStart(9)} ${'mean ms'.padStart(9)}`,
    row('decision (scan + route)', report.decision),
    row('  detector scan only', report.scanOnly),
    row('  route only', report.routeOnly),
    row('direct call, zero-latency fake', report.directFakeCall),
    row('scan + route + fallback + fake', report.routedFakeCall),
    `target: decision < ${report.targetMs} ms at median and p99 — ${report.meetsTarget ? 'met' : 'NOT met'}`,
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runRouterBench()
    .then((report) => console.log(formatRouterBenchReport(report)))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
