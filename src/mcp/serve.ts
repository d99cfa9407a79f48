/**
 * `baton mcp serve`: Baton's MCP tools over stdio, for a client that starts Baton as its child process. The project is
 * opened the way `baton serve` opens it, and runs go through the same {@link RunDispatcher}: `start_run` records a run
 * as `queued` and this process executes it in the background (at most `concurrency` at once), or leaves it to
 * `baton worker` processes with `execute: false`. Nothing here runs a goal itself.
 *
 * Stdout belongs to the protocol: every human-readable line (the banner, log warnings) goes to stderr. The server
 * stops when the client closes stdin (it went away), on Ctrl-C or SIGTERM; runs in flight are then released as
 * `interrupted`, like a stopping server's, and resumed by the next server or worker (with `runs.autoResume`).
 */
import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Project } from '../config/load.js';
import { createLogger } from '../logging.js';
import { RunDispatcher } from '../runtime/dispatcher.js';
import { openRuntime } from '../runtime/open.js';
import { createBatonMcpServer } from './server.js';

/** Runs allowed to wait in the queue, as for `baton serve`. */
const MAX_QUEUED = 1000;
/** How long stopping waits for the runs executing here to record themselves `interrupted`. */
const SHUTDOWN_GRACE_MS = 10_000;

export interface ServeMcpOptions {
  project: Project;
  env: Readonly<Record<string, string | undefined>>;
  /** Runs executed at once by this process. */
  concurrency: number;
  /** Execute runs here (default), or only queue them for workers. */
  execute: boolean;
  version: string;
  /** Human-readable lines (banner, warnings): stderr. */
  say: (text: string) => void;
  /** Resolves when the process is asked to stop (Ctrl-C, SIGTERM). */
  stopRequested: Promise<void>;
  /** The protocol streams; default the process's stdin and stdout. */
  stdin?: Readable;
  stdout?: Writable;
}

/** Serves until the client leaves or a stop is requested; returns the runs released as `interrupted`. */
export async function serveMcpOverStdio(options: ServeMcpOptions): Promise<{ released: string[] }> {
  const { project, say } = options;
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const runtime = await openRuntime(project, { env: options.env });
  try {
    // A damaged checkpoints.db stops the server from starting, not every run it is given.
    await runtime.checkpointer;
    const logger = createLogger({
      dataDir: project.dataDir,
      level: project.config.log.level,
      terminalLevel: 'warn',
      redact: runtime.store.redact,
      onFileError: (message) => say(`baton: warning: ${message}\n`),
    });
    const dispatcher = new RunDispatcher({ runtime, logger, concurrency: options.concurrency, execute: options.execute, maxQueued: MAX_QUEUED });
    await dispatcher.start();
    const server = createBatonMcpServer({ store: runtime.store, dispatcher, version: options.version });
    const transport = new StdioServerTransport(stdin, stdout);

    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    // The client is gone when it closes our stdin; the transport itself never notices.
    stdin.once('end', () => stop());
    stdin.once('close', () => stop());
    transport.onclose = () => stop();
    void options.stopRequested.then(() => stop());

    await server.connect(transport);
    say(
      `Baton serves MCP on stdio (tools: start_run, run_status, run_transcript); runs are ${options.execute ? `executed here, ${options.concurrency} at once` : 'queued for `baton worker` processes'}.\n` +
        `Evidence: ${runtime.evidenceDescription}\n`,
    );
    await stopped;
    const { released, unfinished } = await dispatcher.shutdown(SHUTDOWN_GRACE_MS);
    if (released.length) logger.warn({ released, unfinished }, 'mcp server stopped with runs in flight: released as interrupted, to be resumed by the next server or worker');
    await server.close().catch(() => undefined);
    return { released };
  } finally {
    await runtime.close();
  }
}
