/**
 * Reads the audit entries a turn carries: its guard and approval events, and (a human turn) the decision at its gate.
 * Pure, so it is tested on records alone. A guard entry is flattened: its detections become the detectors and rules
 * that matched and one short reason, never the matched text (an excerpt may quote the injection it caught).
 */
import type { TurnRecord } from '../transcript/schema.js';
import { StoredApprovalEvent, StoredGateOutput, StoredGuardEvent, type AuditEntry } from './entry.js';

/** An event or gate record that could not be read as what its type says; skipped from the audit. */
export interface SkippedAuditRecord {
  runId: string;
  seq: number;
  /** `guard`, `approval` or `gate`. */
  type: string;
  reason: string;
}

/** What was skipped, in words: `a guard event`, `an approval event`, `a gate decision`. */
export function describeSkipped(skipped: Pick<SkippedAuditRecord, 'type'>): string {
  return skipped.type === 'gate' ? 'a gate decision' : `${skipped.type === 'approval' ? 'an' : 'a'} ${skipped.type} event`;
}

/** The longest reason a guard entry carries; the detections' reasons are joined and cut to this. */
export const MAX_REASON_LENGTH = 300;

/** Distinct values in first-seen order. */
function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function shorten(text: string, length: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= length ? flat : `${flat.slice(0, length - 1)}…`;
}

function guardEntry(turn: TurnRecord, event: StoredGuardEvent): AuditEntry {
  const reasons = distinct(event.detections.map((detection) => detection.reason.trim()).filter(Boolean));
  return {
    ...placeOf(turn),
    at: new Date(event.at).toISOString(),
    kind: 'guard',
    surface: event.surface,
    action: event.action,
    source: event.source,
    detectors: distinct(event.detections.map((detection) => detection.detector)),
    rules: distinct(event.detections.map((detection) => detection.rule)),
    ...(reasons.length ? { reason: shorten(reasons.join('; '), MAX_REASON_LENGTH) } : {}),
  };
}

function approvalEntry(turn: TurnRecord, event: StoredApprovalEvent): AuditEntry {
  return {
    ...placeOf(turn),
    at: new Date(event.at).toISOString(),
    kind: 'approval',
    action: event.decision,
    decision: event.decision,
    by: event.by,
    ...(event.note !== undefined ? { note: event.note } : {}),
    operation: event.operation,
    question: event.question,
    reason: event.reason,
  };
}

function gateEntry(turn: TurnRecord, output: StoredGateOutput): AuditEntry {
  return {
    ...placeOf(turn),
    at: new Date(output.decidedAt).toISOString(),
    kind: 'gate',
    action: output.decision,
    decision: output.decision,
    by: output.by,
    ...(output.note !== undefined ? { note: output.note } : {}),
    review: output.review,
  };
}

function placeOf(turn: TurnRecord): Pick<AuditEntry, 'runId' | 'seq' | 'round' | 'role'> {
  return { runId: turn.runId, seq: turn.seq, round: turn.round, role: turn.role };
}

/** The first problem zod found, in a few words, for a skipped record. */
function firstIssue(error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }): string {
  const issue = error.issues[0];
  if (!issue) return 'unreadable';
  return issue.path.length ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message;
}

/**
 * The audit entries of one turn, in the order they happened in it. Events of other types are not audit entries;
 * guard and approval events, and human turns, that do not have their shape are reported to `onSkipped` and left out.
 */
export function auditEntriesOf(turn: TurnRecord, onSkipped?: (skipped: SkippedAuditRecord) => void): AuditEntry[] {
  const entries: AuditEntry[] = [];
  const skip = (type: string, reason: string): void => onSkipped?.({ runId: turn.runId, seq: turn.seq, type, reason });
  if (turn.kind === 'human') {
    const output = StoredGateOutput.safeParse(turn.output);
    if (output.success) entries.push(gateEntry(turn, output.data));
    else skip('gate', firstIssue(output.error));
  }
  for (const event of turn.events) {
    if (event.type === 'guard') {
      const parsed = StoredGuardEvent.safeParse(event);
      if (parsed.success) entries.push(guardEntry(turn, parsed.data));
      else skip('guard', firstIssue(parsed.error));
    } else if (event.type === 'approval') {
      const parsed = StoredApprovalEvent.safeParse(event);
      if (parsed.success) entries.push(approvalEntry(turn, parsed.data));
      else skip('approval', firstIssue(parsed.error));
    }
  }
  return entries;
}
