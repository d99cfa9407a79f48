/**
 * What every command that executes a run in the foreground shares (`run`, `resume`, `approve`, `reject`): the
 * logger, live progress on the terminal, Ctrl-C as cancellation, and the printed outcome with its exit status.
 */
import type { Project } from '../config/load.js';
import { formatCitations } from '../graph/compose.js';
import { createLogger, type Logger } from '../logging.js';
import type { Runtime } from '../runtime/open.js';
import type { RunOutcome } from '../runtime/run.js';
import type { CliIo, CommonOptions } from './context.js';
import { formatCost, formatDuration, progressLine } from './format.js';
import { EXIT_CODES } from './exit-codes.js';

export interface RunSession {
  logger: Logger;
  /** Progress is printed (not --json, not --quiet). */
  live: boolean;
  /** Aborted by Ctrl-C. */
  signal: AbortSignal;
  /** Shows live progress of this run only (a shared PostgreSQL store tells every process about every run's turns). */
  follow(runId: string): void;
  close(): Promise<void>;
}

export interface SessionOptions extends CommonOptions {
  quiet?: boolean;
  verbose?: boolean;
}

/** Opens the logger (a damaged log or checkpoint file is reported now, before anything runs) and the live view. */
export async function startRunSession(runtime: Runtime, project: Project, io: CliIo, options: SessionOptions): Promise<RunSession> {
  let logger: Logger;
  try {
    await runtime.checkpointer;
    logger = createLogger({
      dataDir: project.dataDir,
      level: project.config.log.level,
      terminalLevel: options.verbose ? 'info' : options.json || options.quiet ? 'silent' : 'warn',
      redact: runtime.store.redact,
      onFileError: (message) => io.stderr(`baton: warning: ${message}\n`),
    });
  } catch (error) {
    await runtime.close();
    throw error;
  }
  const live = !options.json && !options.quiet;
  let followed: string | undefined;
  const unsubscribe = live ? runtime.store.onTurn((turn) => turn.runId === followed && io.stderr(`${progressLine(turn)}\n`)) : () => undefined;
  const controller = new AbortController();
  let interrupts = 0;
  const removeInterrupt = io.onInterrupt(() => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    io.stderr('\nCancelling: stopping in-flight calls and keeping the transcript (Ctrl-C again to quit at once)\n');
    controller.abort();
  });
  return {
    logger,
    live,
    signal: controller.signal,
    follow: (runId) => (followed = runId),
    close: async () => {
      removeInterrupt();
      unsubscribe();
      await runtime.close();
    },
  };
}

/** Prints a run's outcome (answer, citations, objections, status line) and returns the exit status. */
export function printOutcome(outcome: RunOutcome, io: CliIo, options: SessionOptions, logger: Logger): number {
  // The error is printed below; the log keeps it with the run's end.
  logger.info({ runId: outcome.runId, status: outcome.status, rounds: outcome.rounds, durationMs: outcome.durationMs, ...(outcome.error ? { error: outcome.error } : {}) }, 'run-end');
  const exitCode = EXIT_CODES[outcome.status === 'running' ? 'interrupted' : outcome.status];
  if (options.json) {
    io.stdout(`${JSON.stringify({ runId: outcome.runId, status: outcome.status, verified: outcome.status === 'approved', result: outcome.result?.answer ?? null, citations: outcome.result?.citations ?? [], rounds: outcome.rounds, objections: outcome.objections, usage: { inputTokens: outcome.inputTokens, outputTokens: outcome.outputTokens, costUsd: outcome.costUsd, estimated: outcome.costEstimated }, durationMs: Math.round(outcome.durationMs), error: outcome.error })}\n`);
    return exitCode;
  }
  if (options.quiet) {
    if (outcome.result) io.stdout(`${outcome.result.answer}\n`);
    return exitCode;
  }
  if (outcome.status === 'awaiting_human') {
    io.stdout(`\nThe run waits for a person's decision (status: awaiting_human).\n  approve: baton approve ${outcome.runId} [--note "..."]\n  reject:  baton reject ${outcome.runId} --reason "..."\n  see what waits: baton pending\n`);
    return exitCode;
  }
  const verified = outcome.status === 'approved';
  io.stdout('\n');
  if (outcome.result) {
    io.stdout(`${verified ? 'Answer (verified by the checker)' : 'Best draft (NOT verified)'}:\n${outcome.result.answer}\n\n`);
    if (outcome.result.citations.length) io.stdout(`Citations:\n${formatCitations(outcome.result.citations)}\n\n`);
  }
  if (!verified && outcome.objections.length) io.stdout(`Open objections:\n${outcome.objections.map((objection) => `  - ${objection}`).join('\n')}\n\n`);
  if (outcome.error) io.stdout(`Error ${outcome.error.code}: ${outcome.error.message}\n${outcome.error.hint ? `hint: ${outcome.error.hint}\n` : ''}`);
  io.stdout(
    `Status: ${outcome.status}${verified ? ' (verified)' : ''}  rounds: ${outcome.rounds}  tokens: ${outcome.inputTokens + outcome.outputTokens}  cost: ${formatCost(outcome.costUsd, outcome.costEstimated)}  time: ${formatDuration(outcome.durationMs)}\nRun id: ${outcome.runId}  (baton show ${outcome.runId})\n`,
  );
  return exitCode;
}
