/**
 * `baton mcp serve`: Baton as an MCP server on stdio, so MCP clients can start runs and read them. Its stdout carries
 * the protocol only; the banner and warnings go to stderr. The MCP SDK, LangGraph and the model clients are loaded
 * when it serves, not when the CLI starts.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext, CommonOptions } from '../context.js';
import { readWholeNumber } from '../numbers.js';

/** Most runs `--concurrency` may execute at once, as for `baton serve`. */
const MAX_CONCURRENCY = 256;

function concurrency(value: string): number {
  const number = readWholeNumber(value, { min: 1, max: MAX_CONCURRENCY });
  if (number === undefined) throw new InvalidArgumentError(`expected a whole number from 1 to ${MAX_CONCURRENCY}, written in decimal digits`);
  return number;
}

export function registerMcpCommands(program: Command, context: CliContext): void {
  const { io, common, openProject } = context;
  const mcp = program.command('mcp').description('Baton and the Model Context Protocol');
  common(mcp.command('serve'))
    .description('serve Baton to MCP clients over stdio: tools start_run, run_status and run_transcript')
    .option('--concurrency <n>', `runs executed at once (1 to ${MAX_CONCURRENCY}); the rest wait in a queue`, concurrency, 2)
    .option('--no-execute', 'only queue runs; `baton worker` processes execute them')
    .action(async (options: CommonOptions & { concurrency: number; execute: boolean }) => {
      const project = openProject(options);
      const { serveMcpOverStdio } = await import('../../mcp/serve.js');
      let removeInterrupt: () => void = () => undefined;
      let onTerm: () => void = () => undefined;
      const stopRequested = new Promise<void>((resolve) => {
        removeInterrupt = io.onInterrupt(() => resolve());
        onTerm = () => resolve();
        process.once('SIGTERM', onTerm);
      });
      try {
        const { released } = await serveMcpOverStdio({
          project,
          env: io.env,
          concurrency: options.concurrency,
          execute: options.execute,
          version: program.version() ?? '0.0.0',
          say: (text) => io.stderr(text),
          stopRequested,
        });
        if (released.length) io.stderr(`Released ${released.length} run(s) to be resumed: ${released.join(', ')}\n`);
      } finally {
        removeInterrupt();
        process.off('SIGTERM', onTerm);
      }
    });
}
