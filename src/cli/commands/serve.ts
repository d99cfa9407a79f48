/** `baton serve`: the HTTP API and the dashboard, on 127.0.0.1 unless told otherwise. */
import { InvalidArgumentError, type Command } from 'commander';
import { parseHostName } from '../../net/host-name.js';
import type { CliContext, CommonOptions } from '../context.js';

function port(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535');
  return number;
}

function allowedHost(value: string, previous: string[] = []): string[] {
  if (parseHostName(value) === undefined) throw new InvalidArgumentError('expected a host name or address with an optional port, e.g. baton.example.com or baton.example.com:8443');
  return [...previous, value];
}

function positive(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError('expected a positive whole number');
  return number;
}

export function registerServeCommand(program: Command, context: CliContext): void {
  const { io, common, openProject } = context;
  common(program.command('serve'))
    .description('start the HTTP API and the web dashboard')
    .option('--host <host>', 'address to listen on; anything but loopback requires API tokens', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', port, 8787)
    .option('--concurrency <n>', 'runs executed at once; the rest wait in a queue', positive, 4)
    .option('--tokens-file <file>', 'file with API tokens, one per line (or set BATON_API_TOKENS, comma-separated)')
    .option('--allowed-host <name>', 'also answer requests for this Host name (repeatable; adds to server.allowedHosts); others than loopback names are refused', allowedHost)
    .action(async (options: CommonOptions & { host: string; port: number; concurrency: number; tokensFile?: string; allowedHost?: string[] }) => {
      const project = openProject(options);
      // Loaded when serving, not when the CLI starts: fastify, LangGraph and the model clients only serve needs.
      const [{ createLogger }, { openRuntime }, { startServer }] = await Promise.all([import('../../logging.js'), import('../../runtime/open.js'), import('../../server/index.js')]);
      const runtime = openRuntime(project, { env: io.env });
      try {
        // A damaged checkpoints.db or baton.log stops the server from starting, not every run it is given.
        await runtime.checkpointer;
        const logger = createLogger({ dataDir: project.dataDir, level: project.config.log.level, terminalLevel: 'warn', redact: runtime.store.redact });
        const server = await startServer({
          runtime,
          logger,
          host: options.host,
          port: options.port,
          concurrency: options.concurrency,
          allowedHosts: [...project.config.server.allowedHosts, ...(options.allowedHost ?? [])],
          env: io.env,
          ...(options.tokensFile ? { tokensFile: options.tokensFile } : {}),
        });
        io.stderr(`Baton is serving the API and the dashboard at ${server.url}\nEvidence: ${runtime.evidenceDescription}\nCtrl-C stops it; runs in flight are cancelled and recorded.\n`);
        await server.closed;
      } finally {
        runtime.close();
      }
    });
}
