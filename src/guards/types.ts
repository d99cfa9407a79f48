/**
 * The shared vocabulary of Baton's guards: what a detector finds in a text, what a guard decides, and the event every
 * decision leaves on its turn (read back by `baton audit`, `GET /api/audit`, the dashboard and OpenTelemetry).
 */

/** Where a text came from, as guards judge it. */
export type GuardSurface =
  /** The run's goal, as the user gave it. */
  | 'goal'
  /** A file given with the run (an e-mail, a PDF, a text file). */
  | 'attachment'
  /** A tool's result: fetched pages, web search results, connector and MCP results. */
  | 'tool'
  /** Knowledge-base passages a search returned or a tool read. */
  | 'knowledge'
  /** What a model wrote: a role's reply or a tool call's arguments (the canary is looked for here). */
  | 'model-output'
  /** A final answer, checked against the output policy. */
  | 'answer'
  /** An outgoing side-effect payload (a connector call that changes something), checked against the output policy. */
  | 'side-effect';

/** What a guard does with a text its detectors flagged. */
export type GuardAction = 'allow' | 'flag' | 'quarantine' | 'redact' | 'block';

/** One finding of one detector. Never carries the matched text of personal data or secrets, only what it is. */
export interface Detection {
  /** The detector: `heuristic`, `canary`, `classifier`, `personal`, `policy`, ... */
  detector: string;
  /** The rule inside the detector that matched, e.g. `ignore-previous`, `email`, `max-length`. */
  rule: string;
  /** 0..1; heuristics and the canary report 1 for a match, a classifier its probability. */
  score: number;
  /** A short, safe description a person reads in the audit log. */
  reason: string;
  /** A short excerpt of the matched injection text (never of personal data or secrets); absent where unsafe. */
  excerpt?: string;
}

/** A detector of injected instructions in untrusted text. */
export interface InjectionDetector {
  readonly name: string;
  /** Finds instructions in `text`; an empty list when there are none. */
  detect(text: string, signal?: AbortSignal): Promise<Detection[]> | Detection[];
}

/**
 * The event a guard decision leaves on its turn's `events` (type `guard`). Approvals are audited from the human and
 * call-approval records; see src/audit.
 */
export interface GuardEvent {
  /** Turn events are open records (see TurnEvent in src/transcript/schema.ts). */
  [key: string]: unknown;
  type: 'guard';
  /** Milliseconds since the epoch. */
  at: number;
  surface: GuardSurface;
  action: GuardAction;
  /** Which text: a source id (`https://…`, `crm.purchase_history`, `attachment:inquiry.eml`, `docs/a.md`), a tool name, or `goal`. */
  source: string;
  detections: Detection[];
}

export function isGuardEvent(event: { type: string }): event is GuardEvent & { type: 'guard' } {
  return event.type === 'guard';
}

/**
 * The event a person's decision on a connector call leaves on the calling turn (type `approval`). Decisions at human
 * gates are their own turns (kind `human`).
 */
export interface ApprovalEvent {
  [key: string]: unknown;
  type: 'approval';
  at: number;
  /** `connector.operation`. */
  operation: string;
  /** What was asked: `approve the call`, or `did it happen` for an outcome nobody knows. */
  question: 'call' | 'outcome';
  decision: 'approve' | 'reject';
  by: string;
  note?: string;
  /** Why approval was needed, as the person was told. */
  reason: string;
}
