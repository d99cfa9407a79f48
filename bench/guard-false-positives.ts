/**
 * False positives of the heuristic injection detector on ordinary documents: every Markdown and text file under the
 * given folders is read and chunked exactly as the knowledge base ingests it (scanPaths, readRaw, extractText,
 * chunkText), and each passage is screened with `detectInjection`. Shipped documents (the sample knowledge base, the
 * eval corpus, the examples) contain no injections, so every flagged passage is a false positive.
 *
 * Run alone after `npx tsc -p tsconfig.build.json`:
 * `node dist/bench/guard-false-positives.js examples eval node_modules/fastify/docs`.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { detectInjection } from '../src/guards/heuristics.js';
import { chunkText } from '../src/knowledge/chunker.js';
import { extractText, readRaw } from '../src/knowledge/extract.js';
import { scanPaths } from '../src/knowledge/scan.js';

/** What {@link falsePositiveRate} measured. */
export interface FalsePositiveReport {
  /** Passages screened. */
  passages: number;
  /** Passages with at least one detection. */
  flagged: number;
  /** `flagged / passages` (0 when there are no passages). */
  rate: number;
  /** Each detection on a flagged passage: the file (relative to the working directory, with its line range), rule and excerpt. */
  examples: Array<{ source: string; rule: string; excerpt: string }>;
}

/** Files are read up to the knowledge base's own cap. */
const MAX_FILE_BYTES = 5 * 1024 * 1024;
/** Detections listed in the report; the counts cover every passage. */
const MAX_EXAMPLES = 200;

/** Screens every Markdown and text passage under `paths` (folders or files, relative to the working directory). */
export async function falsePositiveRate(paths: string[]): Promise<FalsePositiveReport> {
  const cwd = process.cwd();
  const scan = await scanPaths(paths, cwd);
  let passages = 0;
  let flagged = 0;
  const examples: FalsePositiveReport['examples'] = [];
  for (const candidate of scan.candidates) {
    if (candidate.kind !== 'markdown' && candidate.kind !== 'text') continue;
    const raw = await readRaw(candidate.realPath ?? candidate.file, candidate.kind, MAX_FILE_BYTES);
    if ('skipped' in raw) continue;
    const extracted = await extractText(raw, MAX_FILE_BYTES);
    if ('skipped' in extracted) continue;
    const file = path.relative(cwd, candidate.file) || candidate.file;
    for (const chunk of chunkText(extracted.text)) {
      passages += 1;
      const detections = detectInjection(chunk.text);
      if (detections.length === 0) continue;
      flagged += 1;
      for (const detection of detections) {
        if (examples.length >= MAX_EXAMPLES) break;
        examples.push({ source: `${file}:${chunk.startLine}-${chunk.endLine}`, rule: detection.rule, excerpt: detection.excerpt ?? '' });
      }
    }
  }
  return { passages, flagged, rate: passages === 0 ? 0 : flagged / passages, examples };
}

/** The report as lines of text. */
export function formatFalsePositiveReport(paths: readonly string[], report: FalsePositiveReport): string {
  return [
    `Heuristic injection detector on ${paths.join(', ')}: ${report.flagged} of ${report.passages} passages flagged (${(report.rate * 100).toFixed(2)} %)`,
    ...report.examples.map((example) => `  ${example.source}  ${example.rule}: ${example.excerpt}`),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const paths = process.argv.slice(2);
  const given = paths.length > 0 ? paths : ['examples', 'eval', 'prompts', 'README.md', 'node_modules/fastify/docs'];
  console.log(formatFalsePositiveReport(given, await falsePositiveRate(given)));
}
