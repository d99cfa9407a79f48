/**
 * Retrieval at scale: real Markdown (every `.md` file under `node_modules`) chunked to ~100 000 passages, embedded
 * with the offline LocalHashEmbedder, indexed with hnswlib as the knowledge base builds it, and queried. HNSW search
 * is measured side by side with exact brute-force search over the same vectors, which also gives the recall@10.
 *
 * Run alone after `npx tsc -p tsconfig.build.json`: `node --expose-gc dist/bench/retrieval.js [targetChunks]`.
 */
import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chunkText } from '../src/knowledge/chunker.js';
import { LocalHashEmbedder } from '../src/knowledge/embedder.js';
import { createIndex, defaultHnswParameters, searchEf, type HnswParameters } from '../src/knowledge/index-files.js';
import { embeddingInput } from '../src/knowledge/ingest.js';

/** Options of {@link runRetrievalBench}. */
export interface RetrievalBenchOptions {
  /** Passages to index. Default 100 000. */
  targetChunks?: number;
  /** Queries timed and checked for recall. Default 200. */
  queries?: number;
  /** Folder searched for Markdown. Default `<cwd>/node_modules`. */
  root?: string;
  /** Graph parameters; default the knowledge base's own. */
  hnsw?: HnswParameters;
  /** Search breadth; default what the knowledge base uses for k = 10 (`searchEf(10)`). */
  ef?: number;
  /** Other search breadths measured on the same index for comparison. Default 64, 128, 400. */
  compareEf?: number[];
  dimensions?: number;
}

/** What the bench measured. */
export interface RetrievalBenchReport {
  corpus: {
    files: number;
    characters: number;
    /** Distinct passages from one pass with the knowledge base's own chunking. */
    naturalChunks: number;
    chunks: number;
    /** Chunking passes (different target sizes and line offsets) needed to reach the target. */
    passes: number;
  };
  dimensions: number;
  hnsw: HnswParameters & { ef: number };
  ingest: { chunkMs: number; embedMs: number; embedPerSecond: number };
  build: { ms: number; perSecond: number };
  queries: number;
  /** HNSW search at the knowledge base's ef and at the compared ones; recall@10 is against exact search. */
  hnswRuns: Array<{ ef: number; p50Ms: number; p99Ms: number; meanMs: number; recallAt10: number }>;
  exactLatency: { p50Ms: number; p99Ms: number; meanMs: number };
  heapMb: number;
  totalMs: number;
}

function markdownFiles(root: string): string[] {
  const found: string[] = [];
  const visit = (directory: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(directory, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
    for (const entry of entries) {
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.isFile() && entry.name.toLowerCase().endsWith('.md')) found.push(full);
    }
  };
  visit(root);
  return found;
}

/** A small deterministic generator, so every run asks the same queries. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function latency(samples: number[]): { p50Ms: number; p99Ms: number; meanMs: number } {
  const sorted = [...samples].sort((left, right) => left - right);
  const at = (fraction: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
  return { p50Ms: at(0.5), p99Ms: at(0.99), meanMs: samples.reduce((total, value) => total + value, 0) / Math.max(1, samples.length) };
}

/** Top-k by dot product (vectors are unit length, so this is cosine), exactly. */
function exactTopK(matrix: Float32Array, count: number, dimensions: number, query: Float32Array, k: number): number[] {
  const bestIds: number[] = [];
  const bestScores: number[] = [];
  for (let row = 0; row < count; row += 1) {
    let score = 0;
    const offset = row * dimensions;
    for (let column = 0; column < dimensions; column += 1) score += (matrix[offset + column] ?? 0) * (query[column] ?? 0);
    if (bestIds.length < k || score > (bestScores[bestScores.length - 1] ?? -Infinity)) {
      let position = bestScores.length;
      while (position > 0 && (bestScores[position - 1] ?? 0) < score) position -= 1;
      bestScores.splice(position, 0, score);
      bestIds.splice(position, 0, row);
      if (bestIds.length > k) {
        bestIds.pop();
        bestScores.pop();
      }
    }
  }
  return bestIds;
}

/** A query a person might type about a passage: a run of 4 to 9 of its words. */
function queryFrom(text: string, next: () => number): string {
  const words = text.match(/[\p{L}\p{N}]+/gu) ?? [];
  const length = 4 + Math.floor(next() * 6);
  const start = Math.floor(next() * Math.max(1, words.length - length));
  return words.slice(start, start + length).join(' ');
}

/** Runs the bench. Takes about three minutes at 100 000 chunks on two cores. */
export async function runRetrievalBench(options: RetrievalBenchOptions = {}): Promise<RetrievalBenchReport> {
  const started = performance.now();
  const targetChunks = options.targetChunks ?? 100_000;
  const queryCount = options.queries ?? 200;
  const parameters = options.hnsw ?? defaultHnswParameters;
  const ef = options.ef ?? searchEf(10);
  const embedder = new LocalHashEmbedder(options.dimensions === undefined ? {} : { dimensions: options.dimensions });
  const dimensions = embedder.dimensions;

  const files = markdownFiles(options.root ?? path.resolve(process.cwd(), 'node_modules'));
  const texts = files.map((file) => readFileSync(file, 'utf8').replace(/\r\n?/g, '\n'));
  const characters = texts.reduce((total, text) => total + text.length, 0);

  // Pass 0 is the knowledge base's own chunking. Later passes cut the same text into windows of a different number
  // of lines at a different offset, so their passages overlap the first ones without repeating them.
  const chunkStarted = performance.now();
  const inputs: string[] = [];
  const seen = new Set<string>();
  const add = (input: string, minimumLength = 1): void => {
    if (inputs.length >= targetChunks || input.trim().length < minimumLength) return;
    const key = createHash('sha1').update(input).digest('base64');
    if (seen.has(key)) return;
    seen.add(key);
    inputs.push(input);
  };
  for (const text of texts) for (const chunk of chunkText(text)) add(embeddingInput(chunk));
  const naturalChunks = inputs.length;
  let passes = 1;
  const lineSets = texts.map((text) => text.split('\n'));
  while (inputs.length < targetChunks && passes < 200) {
    const window = 6 + ((passes * 5) % 23);
    const offset = (passes * 3) % window;
    for (const lines of lineSets) {
      for (let start = offset; start < lines.length; start += window) add(lines.slice(start, start + window).join('\n'), 40);
      if (inputs.length >= targetChunks) break;
    }
    passes += 1;
  }
  const chunkMs = performance.now() - chunkStarted;

  const embedStarted = performance.now();
  const matrix = new Float32Array(inputs.length * dimensions);
  inputs.forEach((input, row) => matrix.set(embedder.embedOne(input), row * dimensions));
  const embedMs = performance.now() - embedStarted;

  const buildStarted = performance.now();
  const index = createIndex(dimensions, inputs.length, parameters);
  for (let row = 0; row < inputs.length; row += 1) index.addPoint(Array.from(matrix.subarray(row * dimensions, (row + 1) * dimensions)), row);
  const buildMs = performance.now() - buildStarted;
  index.setEf(ef);

  const next = random(42);
  const queries = Array.from({ length: queryCount }, () => embedder.embedOne(queryFrom(inputs[Math.floor(next() * inputs.length)] ?? '', next)));
  // Warm up both paths so the first samples do not pay for compilation.
  for (const query of queries.slice(0, 10)) {
    index.searchKnn(Array.from(query), 10);
    exactTopK(matrix, Math.min(inputs.length, 5000), dimensions, query, 10);
  }
  const exactSamples: number[] = [];
  const truths = queries.map((query) => {
    const mark = performance.now();
    const exact = exactTopK(matrix, inputs.length, dimensions, query, 10);
    exactSamples.push(performance.now() - mark);
    return new Set(exact);
  });
  const efValues = [...new Set([ef, ...(options.compareEf ?? [64, 128, 400])])].sort((left, right) => left - right);
  const hnswRuns = efValues.map((value) => {
    index.setEf(value);
    const samples: number[] = [];
    let found = 0;
    queries.forEach((query, position) => {
      const vector = Array.from(query);
      const mark = performance.now();
      const approximate = index.searchKnn(vector, 10).neighbors;
      samples.push(performance.now() - mark);
      found += approximate.filter((label) => truths[position]?.has(label)).length;
    });
    return { ef: value, ...latency(samples), recallAt10: found / (queryCount * 10) };
  });
  const globalWithGc = globalThis as { gc?: () => void };
  globalWithGc.gc?.();
  return {
    corpus: { files: files.length, characters, naturalChunks, chunks: inputs.length, passes },
    dimensions,
    hnsw: { ...parameters, ef },
    ingest: { chunkMs, embedMs, embedPerSecond: inputs.length / (embedMs / 1000) },
    build: { ms: buildMs, perSecond: inputs.length / (buildMs / 1000) },
    queries: queryCount,
    hnswRuns,
    exactLatency: latency(exactSamples),
    heapMb: process.memoryUsage().heapUsed / 1024 / 1024,
    totalMs: performance.now() - started,
  };
}

const fixed = (value: number, digits = 2): string => value.toFixed(digits);

/** The report as a few aligned lines for the terminal. */
export function formatRetrievalReport(report: RetrievalBenchReport): string {
  const { corpus } = report;
  const reuse =
    corpus.passes > 1
      ? `the text yields ${corpus.naturalChunks} distinct passages with the knowledge base's chunking; ${corpus.passes - 1} more passes over the same text with other line windows and offsets made ${corpus.chunks}`
      : `${corpus.chunks} passages from one pass of the knowledge base's chunking`;
  const row = (label: string, run: { p50Ms: number; p99Ms: number; meanMs: number }, recall: string): string =>
    `    ${label.padEnd(22)}${fixed(run.p50Ms, 3).padStart(9)} ms${fixed(run.p99Ms, 3).padStart(9)} ms${fixed(run.meanMs, 3).padStart(9)} ms   ${recall}`;
  const main = report.hnswRuns.find((run) => run.ef === report.hnsw.ef);
  return [
    `Retrieval: ${corpus.chunks} chunks from ${corpus.files} Markdown files under node_modules (${fixed(corpus.characters / 1e6, 1)} M characters)`,
    `  corpus: ${reuse}`,
    `  embedder: local-hash-v1-${report.dimensions}; HNSW M=${report.hnsw.m}, efConstruction=${report.hnsw.efConstruction}, ef=${report.hnsw.ef} (knowledge base default)`,
    `  ingest: chunking ${fixed(report.ingest.chunkMs / 1000, 1)} s, embedding ${fixed(report.ingest.embedMs / 1000, 1)} s (${Math.round(report.ingest.embedPerSecond)} chunks/s)`,
    `  HNSW build: ${fixed(report.build.ms / 1000, 1)} s (${Math.round(report.build.perSecond)} vectors/s)`,
    `  ${report.queries} queries, top 10           p50         p99        mean   recall@10`,
    ...report.hnswRuns.map((run) => row(`HNSW ef=${run.ef}${run.ef === report.hnsw.ef ? ' *' : ''}`, run, fixed(run.recallAt10, 3))),
    row('exact (brute force)', report.exactLatency, '1.000'),
    `  speed-up of HNSW (ef=${report.hnsw.ef}) over exact at p50: ${fixed(report.exactLatency.p50Ms / Math.max(1e-6, main?.p50Ms ?? 1e-6), 0)}x`,
    `  heap after run: ${Math.round(report.heapMb)} MB; total ${fixed(report.totalMs / 1000, 1)} s`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const target = Number(process.argv[2] ?? '') || undefined;
  console.log(formatRetrievalReport(await runRetrievalBench(target === undefined ? {} : { targetChunks: target })));
}
