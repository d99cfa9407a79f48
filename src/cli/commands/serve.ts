/** `baton serve`: the HTTP API and the dashboard, on 127.0.0.1 unless told otherwise. */
import { InvalidArgumentError, type Command } from 'commander';
import { isIP } from 'node:net';
import path from 'node:path';
import { UsageError } from '../../errors.js';
import { parseHostName } from '../../net/host-name.js';
import { readUserFile } from '../../config/user-file.js';
import type { CliContext, CommonOptions } from '../context.js';
import { readWholeNumber } from '../numbers.js';

/** Most runs `--concurrency` may execute at once. */
export const MAX_CONCURRENCY = 256;

/** A whole number written in decimal digits from `min` to `max`, as commander's argument error otherwise. */
function wholeNumber(value: string, bounds: { min: number; max: number }, expected: string): number {
  const number = readWholeNumber(value, bounds);
  if (number === undefined) throw new InvalidArgumentError(`expected ${expected}, written in decimal digits`);
  return number;
}

function port(value: string): number {
  return wholeNumber(value, { min: 0, max: 65535 }, 'a port number from 0 to 65535');
}

/** A listen address: an IP address (v4 or v6) or a host name, without a port (that is --port). */
function listenHost(value: string): string {
  const parsed = isIP(value) === 0 ? parseHostName(value) : { name: value };
  if (parsed === undefined || parsed.port !== undefined) throw new InvalidArgumentError('invalid host: expected an IP address such as 127.0.0.1, 0.0.0.0 or ::, or a host name such as localhost, without a port (use --port)');
  return value;
}

function allowedHost(value: string, previous: string[] = []): string[] {
  if (parseHostName(value) === undefined) throw new InvalidArgumentError('expected a host name or address with an optional port, e.g. baton.example.com or baton.example.com:8443');
  return [...previous, value];
}

function concurrency(value: string): number {
  return wholeNumber(value, { min: 1, max: MAX_CONCURRENCY }, `a whole number from 1 to ${MAX_CONCURRENCY}`);
}

export function registerServeCommand(program: Command, context: CliContext): void {
  const { io, common, openProject } = context;
  common(program.command('serve'))
    .description('start the HTTP API and the web dashboard')
    .option('--host <host>', 'address to listen on; anything but loopback requires API tokens', listenHost, '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', port, 8787)
    .option('--concurrency <n>', `runs executed at once (1 to ${MAX_CONCURRENCY}); the rest wait in a queue`, concurrency, 4)
    .option('--no-execute', 'accept runs and serve the API only; `baton worker` processes execute them')
    .option('--tokens-file <file>', 'file with API tokens, one per line (or set BATON_API_TOKENS, comma-separated)')
    .option('--allowed-host <name>', 'also answer requests for this Host name (repeatable; adds to server.allowedHosts); others than loopback names are refused', allowedHost)
    .action(async (options: CommonOptions & { host: string; port: number; concurrency: number; execute: boolean; tokensFile?: string; allowedHost?: string[] }) => {
      const project = openProject(options);
      if (options.tokensFile !== undefined) await checkTokensFile(options.tokensFile, io.cwd);
      // Loaded when serving, not when the CLI starts: fastify, LangGraph and the model clients only serve needs.
      const [{ createLogger }, { openRuntime }, { startServer }] = await Promise.all([import('../../logging.js'), import('../../runtime/open.js'), import('../../server/index.js')]);
      const runtime = await openRuntime(project, { env: io.env });
      try {
        // A damaged checkpoints.db or baton.log stops the server from starting, not every run it is given.
        await runtime.checkpointer;
        const logger = createLogger({
          dataDir: project.dataDir,
          level: project.config.log.level,
          terminalLevel: 'warn',
          redact: runtime.store.redact,
          onFileError: (message) => io.stderr(`baton: warning: ${message}\n`),
        });
        const server = await startServer({
          runtime,
          logger,
          host: options.host,
          port: options.port,
          concurrency: options.concurrency,
          execute: options.execute,
          allowedHosts: [...project.config.server.allowedHosts, ...(options.allowedHost ?? [])],
          env: io.env,
          ...(options.tokensFile ? { tokensFile: options.tokensFile } : {}),
        });
        io.stderr(`Baton is serving the API and the dashboard at ${server.url}\nEvidence: ${runtime.evidenceDescription}\nCtrl-C stops it; runs in flight are released and resume at the next start.\n`);
        await server.closed;
      } finally {
        await runtime.close();
      }
    });
}

/**
 * A `--tokens-file` must be a regular file that holds at least one token: an empty one otherwise surfaced as "refusing
 * to listen without API tokens", and a pipe would hang the server's start.
 */
async function checkTokensFile(file: string, cwd: string): Promise<void> {
  const resolved = path.resolve(cwd, file);
  const read = readUserFile(resolved, 64 * 1024);
  if ('problem' in read) throw new UsageError(`--tokens-file ${resolved}: ${read.problem}`, { hint: 'give a file with one API token per line' });
  const { resolveApiTokens } = await import('../../server/auth.js');
  if (resolveApiTokens({ tokensFile: resolved }).length === 0) {
    throw new UsageError(`--tokens-file ${resolved} holds no API tokens (only blank lines or # comments); expected one token per line`, {
      hint: 'generate one with: node -e "console.log(crypto.randomBytes(24).toString(\'base64url\'))"',
    });
  }
}
