/** The CLI's exit statuses for run states. */
import type { RunStatus } from '../graph/status.js';

/** CLI exit status of each run end state (documented in README). */
export const EXIT_CODES: Record<Exclude<RunStatus, 'running'>, number> = {
  approved: 0,
  failed: 1,
  unverified: 2,
  budget_exceeded: 3,
  /** Paused at a human gate: `baton approve` or `baton reject` continues it. */
  awaiting_human: 4,
  /** Accepted for a server or worker to run. */
  queued: 5,
  interrupted: 6,
  cancelled: 130,
};

/**
 * `baton eval`: the suite missed a gate (a wrong or unanswerable answer approved, a threshold not met). Apart from the
 * run states above, so a CI job can tell a failed gate from a run error (1) or a bad suite file (78).
 */
export const EVAL_GATES_FAILED = 7;
