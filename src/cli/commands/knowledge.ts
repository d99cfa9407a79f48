/** `baton ingest`, `baton kb` and `baton tool`: build and inspect the knowledge base, run one tool directly. */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { KnowledgeBase } from '../../knowledge/knowledge-base.js';
import { embedderFor } from '../../runtime/knowledge.js';
import { openRuntime } from '../../runtime/open.js';
import { createRedactor, redactDeep } from '../../transcript/redact.js';
import { formatDuration, table } from '../format.js';
import type { CliContext, CommonOptions } from '../context.js';
import { checkIngestTargets } from './ingest-targets.js';
import { runOperationTool } from './connectors.js';

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function registerKnowledgeCommands(program: Command, context: CliContext): void {
  const { io, common, openProject } = context;

  common(program.command('ingest'))
    .description('build or update the knowledge base from folders and files (Markdown, text, HTML, PDF)')
    .argument('[paths...]', 'folders and files to read (default: knowledge.paths of the config)')
    .option('--rebuild', 'drop the knowledge base and build it again from these paths (needed after changing the embedding model)')
    .action(async (paths: string[], options: CommonOptions & { rebuild?: boolean }) => {
      const project = openProject(options);
      const targets = paths.length ? paths : project.knowledgePaths;
      const knowledgeBase = new KnowledgeBase({ dataDir: project.dataDir, embedder: embedderFor(project, io.env), displayRoot: project.baseDir });
      let lastProgress = 0;
      try {
        checkIngestTargets({
          paths: targets,
          fromConfig: paths.length === 0,
          cwd: io.cwd,
          ...(project.configFile ? { configFile: project.configFile } : {}),
          storedPaths: () => knowledgeBase.listSources().map((source) => source.path),
        });
        const summary = await knowledgeBase.ingest(targets, {
          cwd: io.cwd,
          ...(options.rebuild ? { rebuild: true } : {}),
          ...(project.config.knowledge.allowOutsideRoots ? { allowOutsideRoots: true } : {}),
          onProgress: (progress) => {
            const now = Date.now();
            if (options.json || (now - lastProgress < 250 && progress.phase !== 'done')) return;
            lastProgress = now;
            io.stderr(`  ${progress.phase}: ${progress.filesDone}/${progress.filesTotal} files, ${progress.chunks} chunks, ${progress.embedded} embedded, ${Math.round(progress.rate)}/s\n`);
          },
        });
        if (options.json) {
          io.stdout(`${JSON.stringify(summary)}\n`);
          return;
        }
        for (const warning of summary.warnings) io.stderr(`warning: ${warning}\n`);
        io.stdout(
          `Ingested ${summary.files} file(s) in ${formatDuration(summary.durationMs)}: ${summary.chunksAdded} chunk(s) added, ${summary.chunksRemoved} removed, ${summary.chunksUnchanged} unchanged; ${summary.embedded} embedded. ` +
            `Skipped ${summary.skipped}, truncated ${summary.truncated}, duplicates ${summary.duplicates}, ignored ${summary.ignored}, files removed ${summary.filesRemoved}.\n`,
        );
      } finally {
        knowledgeBase.close();
      }
    });

  common(program.command('kb'))
    .description('what is in the knowledge base: sources, chunks, embedding model, index size')
    .action((options: CommonOptions) => {
      const project = openProject(options);
      const knowledgeBase = new KnowledgeBase({ dataDir: project.dataDir, embedder: embedderFor(project, io.env), displayRoot: project.baseDir });
      try {
        const stats = knowledgeBase.stats();
        const sources = knowledgeBase.listSources();
        if (options.json) {
          io.stdout(`${JSON.stringify({ ...stats, sources: sources })}\n`);
          return;
        }
        if (stats.chunks === 0) {
          io.stdout(`The knowledge base in ${knowledgeBase.directory} is empty. Build it with: baton ingest <paths>\n`);
          return;
        }
        io.stdout(`Knowledge base ${knowledgeBase.directory}\n  ${stats.sources} source(s), ${stats.chunks} chunk(s), embedder ${stats.embedder} (${stats.dimensions} dimensions), index ${formatBytes(stats.indexBytes)}, built ${stats.builtAt}\n\n`);
        io.stdout(`${table(['SOURCE', 'KIND', 'CHUNKS', 'SIZE', 'INGESTED'], sources.map((source) => [source.source, source.kind, String(source.chunks), `${formatBytes(source.bytes)}${source.truncated ? ' (truncated)' : ''}`, source.ingestedAt.slice(0, 19).replace('T', ' ')]))}\n`);
      } finally {
        knowledgeBase.close();
      }
    });

  common(program.command('tool'))
    .description('run one tool directly, for debugging and scripts: a built-in tool, or a connector operation (connector.operation)')
    .argument('<name>', 'search_docs, read_source, fetch_url, web_search, or connector.operation as `baton connectors` lists it')
    .option('--input <json>', 'the tool input as JSON', '{}')
    .option('--dry-run', 'connector operations: validate and map the input, print the exact request, and call nothing')
    .option('--key <key>', 'connector side effects: the idempotency key to send (default: a fresh one)')
    .action(async (name: string, options: CommonOptions & { input: string; dryRun?: boolean; key?: string }) => {
      if (name.includes('.')) return runOperationTool(context, name, options);
      if (options.dryRun || options.key) throw new UsageError(`--dry-run and --key apply to connector operations (connector.operation), not to the built-in tool "${name}"`);
      let input: unknown;
      try {
        input = JSON.parse(options.input);
      } catch (error) {
        throw new UsageError(`--input is not valid JSON: ${(error as Error).message}`);
      }
      const project = openProject(options);
      const runtime = await openRuntime(project, { env: io.env, checkpoints: false });
      try {
        const redact = createRedactor([], project.detectors);
        const result = await runtime.tools.run(name, input, {
          evidence: runtime.evidence,
          fetchPolicy: project.config.tools.fetch,
          ...(project.config.tools.webSearch ? { webSearchUrl: project.config.tools.webSearch.url } : {}),
        });
        // Redacted value by value before serialising: redacting JSON text can break it around a secret.
        const safe = redactDeep({ summary: result.summary, output: result.output }, redact);
        io.stdout(options.json ? `${JSON.stringify({ ...result, ...safe })}\n` : `${safe.summary}\n${JSON.stringify(safe.output, null, 2)}\n`);
      } finally {
        await runtime.close();
      }
    });
}
