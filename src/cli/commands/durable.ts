/**
 * Durable runs on the command line: `resume` an interrupted run, list what waits for a person (`pending`), decide
 * (`approve`, `reject`), `cancel` a run wherever it executes, and run a `worker` that takes runs from the queue.
 */
import { userInfo } from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import { RunBusyError, UsageError } from '../../errors.js';
import { openRunStore } from '../../runtime/open-store.js';
import type { CliContext, CommonOptions } from '../context.js';
import { parseWholeNumber, readWholeNumber } from '../numbers.js';
import { table, truncate } from '../format.js';

interface ForegroundOptions extends CommonOptions {
  quiet?: boolean;
  verbose?: boolean;
  wait?: boolean;
}

/** Who decides, when not told: the OS user. */
function defaultDecider(env: Readonly<Record<string, string | undefined>>): string {
  try {
    return userInfo().username;
  } catch {
    return env['USER'] ?? 'cli';
  }
}

function workerConcurrency(value: string): number {
  const number = readWholeNumber(value, { min: 1, max: 256 });
  if (number === undefined) throw new InvalidArgumentError('expected a whole number from 1 to 256, written in decimal digits');
  return number;
}

export function registerDurableCommands(program: Command, context: CliContext, setExitCode: (code: number) => void): void {
  const { io, common, openProject } = context;

  /** Takes the run and executes it here, printing like `baton run`; when another process took it first, says so. */
  async function continueHere(runId: string, options: ForegroundOptions, afterDecision = false): Promise<void> {
    const project = openProject(options);
    const [{ openRuntime }, { resumeRun }, { startRunSession, printOutcome }] = await Promise.all([import('../../runtime/open.js'), import('../../runtime/run.js'), import('../run-session.js')]);
    const runtime = await openRuntime(project, { env: io.env });
    const session = await startRunSession(runtime, project, io, options);
    try {
      session.follow(runId);
      const outcome = await resumeRun(runtime, runId, {
        signal: session.signal,
        onStart: () => session.live && io.stderr(`Resuming run ${runId} from its last checkpoint\n`),
      });
      setExitCode(printOutcome(outcome, io, options, session.logger));
    } catch (error) {
      if (!(error instanceof RunBusyError) || !afterDecision) throw error;
      // A decision queued the run and a server or worker took it first: that is where it continues.
      io.stderr(`The run continues in another process (a server or worker took it): follow it with \`baton show ${runId}\`\n`);
    } finally {
      await session.close();
    }
  }

  common(program.command('resume'))
    .description('continue an interrupted run from its last checkpoint (no completed turn runs again)')
    .argument('<runId>', 'a run id from `baton runs --status interrupted`')
    .option('--quiet', 'print only the answer')
    .option('--verbose', 'also log info-level lines to the terminal')
    .action(async (runId: string, options: ForegroundOptions) => continueHere(runId, options));

  common(program.command('pending'))
    .description('list the runs waiting for a person at a human gate')
    .action(async (options: CommonOptions) => {
      const project = openProject(options);
      const store = await openRunStore(project, io.env);
      try {
        const pending = await store.pendingDecisions();
        if (options.json) {
          io.stdout(`${JSON.stringify(pending)}\n`);
          return;
        }
        if (pending.length === 0) {
          io.stdout('Nothing waits for a decision.\n');
          return;
        }
        io.stdout(`${table(['RUN', 'GATE', 'REVIEW', 'ROUND', 'WAITING SINCE', 'GOAL'], pending.map((entry) => [entry.runId, entry.gate, entry.review, String(entry.round), entry.requestedAt.replace('T', ' ').slice(0, 19), truncate(entry.goal, 60)]))}\n`);
        io.stdout(`\nSee one with \`baton show <run>\`; decide with \`baton approve <run>\` or \`baton reject <run> --reason "..."\`.\n`);
      } finally {
        await store.close();
      }
    });

  const decide = (name: 'approve' | 'reject'): Command =>
    common(program.command(name))
      .argument('<runId>', 'a run id from `baton pending`')
      .option('--by <name>', 'who decides (default: your user name)')
      .option('--round <n>', 'the round you reviewed (from `baton pending`): refused if the run now asks about another one', (value) => parseWholeNumber(value, '--round', { min: 1, max: 1000 }))
      .option('--no-wait', 'record the decision and leave the run to a server or worker')
      .option('--quiet', 'print only the answer')
      .option('--verbose', 'also log info-level lines to the terminal');

  const record = async (runId: string, decision: 'approve' | 'reject', note: string | undefined, options: ForegroundOptions & { by?: string; round?: number }): Promise<void> => {
    // The same rules as the API's decision body: a name that is not blank, text without control characters, 4000 at most.
    const { DecisionBody } = await import('../../server/schemas.js');
    const checked = DecisionBody.safeParse({ decision, ...(note === undefined ? {} : decision === 'approve' ? { note } : { reason: note }), ...(options.by === undefined ? {} : { by: options.by }) });
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new UsageError(`--${String(issue?.path[0] ?? 'note')}: ${issue?.message ?? 'invalid'}`);
    }
    const project = openProject(options);
    const [{ decideRun }] = await Promise.all([import('../../runtime/run.js')]);
    const store = await openRunStore(project, io.env);
    try {
      const gate = await decideRun({ store }, runId, { decision, by: checked.data.by ?? defaultDecider(io.env), ...(note ? { note } : {}) }, options.round !== undefined ? { round: options.round } : undefined);
      if (options.json && options.wait === false) io.stdout(`${JSON.stringify({ runId, gate: gate.gate, decision: gate.decision, status: 'queued' })}\n`);
      else if (!options.quiet) io.stderr(`${decision === 'approve' ? 'Approved' : 'Rejected'} at gate "${gate.gate}" by ${gate.decision?.by}; the run is queued to continue\n`);
    } finally {
      await store.close();
    }
    if (options.wait !== false) await continueHere(runId, options, true);
  };

  decide('approve')
    .description('approve what a run waits on at its human gate, and continue the run here (or --no-wait)')
    .option('--note <text>', 'a note recorded with the approval')
    .action(async (runId: string, options: ForegroundOptions & { by?: string; note?: string; round?: number }) => record(runId, 'approve', options.note, options));

  decide('reject')
    .description('reject what a run waits on: the reason goes back to the planner, like a checker objection')
    .requiredOption('--reason <text>', 'why, in words the planner can act on')
    .action(async (runId: string, options: ForegroundOptions & { by?: string; reason: string; round?: number }) => {
      if (options.reason.trim() === '') throw new UsageError('--reason is empty; say what must change, e.g. --reason "cover the pricing question too"');
      await record(runId, 'reject', options.reason, options);
    });

  common(program.command('cancel'))
    .description('cancel a run wherever it is: queued, waiting for a person, interrupted, or executing in any process')
    .argument('<runId>', 'a run id from `baton runs`')
    .action(async (runId: string, options: CommonOptions) => {
      const project = openProject(options);
      const store = await openRunStore(project, io.env);
      try {
        const outcome = await store.requestCancel(runId, new Date());
        const message = {
          cancelled: `Run ${runId} is cancelled.`,
          requested: `Run ${runId} executes in another process; it stops at its next heartbeat and ends cancelled.`,
          finished: `Run ${runId} had already ended; nothing to cancel.`,
        }[outcome];
        io.stdout(options.json ? `${JSON.stringify({ runId, outcome })}\n` : `${message}\n`);
      } finally {
        await store.close();
      }
    });

  common(program.command('worker'))
    .description('take runs from the queue and execute them (with a PostgreSQL store, any number of workers share it)')
    .option('--concurrency <n>', 'runs executed at once (1 to 256)', workerConcurrency, 4)
    .action(async (options: CommonOptions & { concurrency: number }) => {
      const project = openProject(options);
      const [{ openRuntime }, { RunDispatcher }, { createLogger }] = await Promise.all([import('../../runtime/open.js'), import('../../runtime/dispatcher.js'), import('../../logging.js')]);
      const runtime = await openRuntime(project, { env: io.env });
      try {
        await runtime.checkpointer;
        const logger = createLogger({ dataDir: project.dataDir, level: project.config.log.level, terminalLevel: 'info', redact: runtime.store.redact, onFileError: (message) => io.stderr(`baton: warning: ${message}\n`) });
        const dispatcher = new RunDispatcher({ runtime, logger, concurrency: options.concurrency });
        await dispatcher.start();
        io.stderr(`Baton worker ${dispatcher.owner} takes runs from the ${project.store.kind} queue (${runtime.store.location}), ${options.concurrency} at once. Ctrl-C stops it; runs in flight are released and resumed elsewhere.\n`);
        // The queue's own timers do not keep the process alive (a server's socket does); the worker waits for a signal.
        const keepAlive = setInterval(() => undefined, 60_000);
        await new Promise<void>((resolve) => {
          const remove = io.onInterrupt(() => {
            remove();
            resolve();
          });
          process.once('SIGTERM', () => resolve());
        });
        clearInterval(keepAlive);
        const { released } = await dispatcher.shutdown(10_000);
        if (released.length) io.stderr(`Released ${released.length} run(s) to be resumed: ${released.join(', ')}\n`);
      } finally {
        await runtime.close();
      }
    });
}
