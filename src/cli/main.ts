/**
 * The `baton` command line. The only place that chooses defaults from the process (environment, working directory,
 * terminal) and prints; everything it runs is library code with injected dependencies.
 */
import { Command, CommanderError, Option } from 'commander';
import { BATON_VERSION } from '../version.js';
import { loadProject, type Project } from '../config/load.js';
import { BatonError, exitCodeFor } from '../errors.js';
import { RunStatus } from '../graph/status.js';
import { openRunStore } from '../runtime/open-store.js';
import { validateGoal } from '../runtime/goal.js';
import { readAttachments } from '../runtime/attachments.js';
import { damagedWarning, runRow, table } from './format.js';
import type { DamagedRecord } from '../stores/port.js';
import { formatTranscript } from './transcript-view.js';
import { registerKnowledgeCommands } from './commands/knowledge.js';
import { registerServeCommand } from './commands/serve.js';
import { registerDurableCommands } from './commands/durable.js';
import { registerStatsCommand } from './commands/stats.js';
import { registerEvalCommand } from './commands/eval.js';
import { registerSecretsCommands } from './commands/secrets.js';
import { registerMcpCommands } from './commands/mcp.js';
import { registerConnectorCommands } from './commands/connectors.js';
import { registerAuditCommand } from './commands/audit.js';
import type { CliIo, CommonOptions } from './context.js';
import { terminalIo } from './terminal-text.js';
import { createRedactor } from '../transcript/redact.js';
import { MAX_LIST_LIMIT, parseDollars, parseDuration, parseWholeNumber } from './numbers.js';

export type { CliIo } from './context.js';
export { parseDuration } from './numbers.js';

export { EXIT_CODES } from './exit-codes.js';

function open(options: CommonOptions & { offline?: boolean }, io: CliIo): Project {
  return loadProject({
    cwd: io.cwd,
    env: io.env,
    // An empty value is passed on, so loadProject refuses it instead of the default being used silently.
    ...(options.config !== undefined ? { configFile: options.config } : {}),
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
    ...(options.offline ? { offline: true } : {}),
    // One check of the data directory up front, naming the flag or config field that chose it.
    prepareDataDir: true,
    onWarning: (warning) => io.stderr(`baton: warning: ${warning.message}\n`),
  });
}

/** Builds the command tree. Exported so tests can run the CLI in-process. */
export function buildCli(processIo: CliIo): { program: Command; exitCode: () => number } {
  // Everything printed goes through the one terminal sanitiser: stored text may carry control and bidi characters.
  const io = terminalIo(processIo);
  let exitCode = 0;
  const program = new Command('baton')
    .description('Give a goal, get a verified answer: Planner, Researcher and Checker under a logging supervisor.')
    .version(BATON_VERSION)
    .showHelpAfterError()
    .configureOutput({ writeOut: (text) => io.stdout(text), writeErr: (text) => io.stderr(text) })
    .exitOverride();

  const common = (command: Command): Command =>
    command
      .option('--config <file>', 'config file (default: baton.config.yaml in the working directory, if present)')
      .option('--data-dir <dir>', 'data directory for runs, transcripts and logs (default: .baton)')
      .option('--json', 'machine-readable JSON output');

  common(program.command('run'))
    .description('run a goal and print the answer with its citations and verification status')
    .argument('<goal>', 'what you want answered')
    .option('--quiet', 'print only the answer')
    .option('--offline', 'use the offline engine for every role, whatever the config or environment says')
    .option('--verbose', 'also log info-level lines to the terminal')
    .option('--confidential', 'nothing of this run may reach an external model')
    .addOption(new Option('--priority <priority>', 'urgent prefers the fastest models, normal and batch the cheapest').choices(['urgent', 'normal', 'batch']).default('normal'))
    .option('--budget <dollars>', 'the most this run may spend, in US dollars, e.g. 0.50', (value) => parseDollars(value))
    .option('--deadline <duration>', 'wall-clock limit of this run, e.g. 90s, 5m, 1h; a bare number is seconds; at most 168h', (value) => parseDuration(value, '--deadline'))
    .option('--kind <kind>', 'a label for the kind of goal, grouped by `baton stats`')
    // One file per --attach (repeat it for more): a variadic option would take the goal after it for a file.
    .option('--attach <file>', 'an image, audio, text, PDF or e-mail (.eml) file the run should use; repeat for more', (file: string, previous: string[] = []) => [...previous, file])
    .action(async (goalArgument: string, options: RunCommandOptions) => {
      const goal = validateGoal(goalArgument);
      // Checked before anything is loaded or printed: a wrong path is a usage error, not a run that fails.
      const attachments = options.attach?.length ? await readAttachments(options.attach, io.cwd) : undefined;
      const startedAt = Date.now();
      const labels = {
        confidential: options.confidential ?? false,
        priority: options.priority,
        ...(options.budget !== undefined ? { budgetUsd: options.budget } : {}),
        ...(options.deadline !== undefined ? { deadlineMs: startedAt + options.deadline } : {}),
      };
      const project = open(options, io);
      // Loaded here and not at start-up: LangGraph, the model clients and the logger are what only a run needs, and
      // loading them for every command made even `baton --version` take over half a second (see bench/cli.ts).
      const [{ openRuntime }, { runGoal }, { startRunSession, printOutcome }, { describeEngines }] = await Promise.all([
        import('../runtime/open.js'),
        import('../runtime/run.js'),
        import('./run-session.js'),
        import('./engines.js'),
      ]);
      const runtime = await openRuntime(project, { env: io.env });
      const session = await startRunSession(runtime, project, io, options);
      if (session.live) io.stderr(`${describeEngines(project, labels)}\nEvidence: ${runtime.evidenceDescription}\n`);
      try {
        const outcome = await runGoal(runtime, {
          goal,
          labels,
          ...(options.kind ? { tags: { kind: options.kind } } : {}),
          ...(attachments ? { attachments } : {}),
          signal: session.signal,
          onStart: (runId) => {
            session.follow(runId);
            session.logger.info({ runId, goal, engine: project.modelSource }, 'run-start');
            if (session.live) io.stderr(`Run ${runId}\n`);
          },
        });
        exitCode = printOutcome(outcome, io, options, session.logger);
      } finally {
        await session.close();
      }
    });

  common(program.command('runs'))
    .description('list past runs')
    .addOption(new Option('--status <status>', 'only runs with this status').choices(RunStatus.options))
    .option('--limit <n>', `how many runs (1 to ${MAX_LIST_LIMIT})`, (value) => parseWholeNumber(value, '--limit', { min: 1, max: MAX_LIST_LIMIT }), 20)
    .action(async (options: CommonOptions & { status?: string; limit: number }) => {
      const project = open(options, io);
      const store = await openRunStore(project, io.env);
      try {
        const damaged: DamagedRecord[] = [];
        const runs = await store.listRuns({ limit: options.limit, onDamaged: (record) => damaged.push(record), ...(options.status ? { status: options.status } : {}) });
        if (damaged.length) io.stderr(damagedWarning(damaged));
        if (options.json) {
          io.stdout(`${JSON.stringify(runs.map((run) => ({ id: run.id, goal: run.goal, status: run.status, rounds: run.rounds, tokens: run.inputTokens + run.outputTokens, costUsd: run.costUsd, costEstimated: run.costEstimated, durationMs: run.durationMs, startedAt: run.startedAt })))}\n`);
        } else if (runs.length === 0) {
          io.stdout(options.status ? `No runs with status ${options.status}.\n` : 'No runs yet. Start one with: baton run "<goal>"\n');
        } else {
          io.stdout(`${table(['ID', 'STATUS', 'ROUNDS', 'TOKENS', 'COST', 'DURATION', 'STARTED', 'GOAL'], runs.map(runRow))}\n`);
        }
      } finally {
        await store.close();
      }
    });

  common(program.command('show'))
    .description('print the whole transcript of a run, turn by turn')
    .argument('<runId>', 'a run id from `baton runs`')
    .option('--verbose', 'include the messages sent to each model')
    .action(async (runId: string, options: CommonOptions & { verbose?: boolean }) => {
      const project = open(options, io);
      const store = await openRunStore(project, io.env);
      try {
        const run = await store.getRun(runId);
        const damaged: DamagedRecord[] = [];
        const turns = await store.turns(runId, (turn) => damaged.push(turn));
        if (damaged.length) io.stderr(damagedWarning(damaged));
        io.stdout(options.json ? `${JSON.stringify({ run, turns, damaged })}\n` : `${formatTranscript(run, turns, { verbose: options.verbose ?? false })}\n`);
      } finally {
        await store.close();
      }
    });

  const context = { io, common, openProject: (options: CommonOptions & { offline?: boolean }) => open(options, io) };
  registerKnowledgeCommands(program, context);
  registerStatsCommand(program, context);
  registerServeCommand(program, context);
  registerDurableCommands(program, context, (code) => (exitCode = code));
  registerEvalCommand(program, context, (code) => (exitCode = code));
  registerSecretsCommands(program, context);
  registerMcpCommands(program, context);
  registerConnectorCommands(program, context);
  registerAuditCommand(program, context);
  return { program, exitCode: () => exitCode };
}

interface RunCommandOptions extends CommonOptions {
  quiet?: boolean;
  offline?: boolean;
  verbose?: boolean;
  confidential?: boolean;
  priority: 'urgent' | 'normal' | 'batch';
  budget?: number;
  deadline?: number;
  kind?: string;
  attach?: string[];
}


/** Runs the CLI with arguments (without `node` and the script); returns the exit status. */
export async function runCli(argv: readonly string[], processIo: CliIo): Promise<number> {
  // Messages on stderr may quote what was typed (an unknown run id, a bad flag value): they are redacted like records.
  const redact = createRedactor();
  const io = terminalIo({ ...processIo, stderr: (text) => processIo.stderr(redact(text)) });
  const { program, exitCode } = buildCli(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode();
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 64;
    if (error instanceof BatonError) {
      io.stderr(`baton: ${error.message}\n${error.hint ? `hint: ${error.hint}\n` : ''}`);
      return exitCodeFor(error);
    }
    io.stderr(`baton: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\nThis is a bug in Baton; please report it.\n`);
    return 70;
  }
}
