/**
 * A checker turn in words, for `baton show` and the live progress of `baton run`. It shows the effective verdict (what
 * the run acted on) with the objections that decided it, and says so when the deterministic checks overruled a model
 * that approved. Turns recorded before checker turns kept the effective verdict hold only the model's reply; they are
 * shown as recorded.
 */
import { overruledApproval, readCheckerTurnOutput } from '../roles/checker-output.js';

const OVERRULED = 'the model approved; the evidence check overruled it';

/** The one-line headline of a checker turn: `verdict: reject (the model approved; ...)`. */
export function checkerHeadline(output: unknown): string {
  const recorded = readCheckerTurnOutput(output);
  if (!recorded) return `verdict: ${String((output as { decision?: unknown } | null)?.decision ?? '?')}`;
  return `verdict: ${recorded.decision}${overruledApproval(recorded) ? ` (${OVERRULED})` : ''}`;
}

/** The detail lines of a checker turn: decision, the model's verdict when it differs, the evidence check, objections. */
export function checkerDetails(output: unknown): string[] {
  const recorded = readCheckerTurnOutput(output);
  const fields = (output ?? {}) as Record<string, unknown>;
  if (!recorded) {
    const lines = [`decision: ${String(fields['decision'])}${fields['feedback'] ? ` (${String(fields['feedback'])})` : ''}`];
    for (const objection of (fields['objections'] as Array<{ kind: string; message: string }> | undefined) ?? []) lines.push(`objection [${objection.kind}]: ${objection.message}`);
    return lines;
  }
  const lines = [`decision: ${recorded.decision}${recorded.feedback ? ` (${recorded.feedback})` : ''}`];
  if (recorded.model.decision !== recorded.decision) lines.push(`model's verdict: ${recorded.model.decision}, overruled by the evidence check`);
  lines.push(recorded.evidence.passed ? 'evidence check: passed' : `evidence check: failed with ${recorded.evidence.objections.length} objection(s)`);
  const fromEvidence = new Set(recorded.evidence.objections.map(objectionKey));
  for (const objection of recorded.objections) {
    lines.push(`${fromEvidence.has(objectionKey(objection)) ? 'evidence objection' : 'objection'} [${objection.kind}]: ${objection.message}`);
  }
  return lines;
}

function objectionKey(objection: { kind: string; target?: string; message: string }): string {
  return `${objection.kind}|${objection.target ?? ''}|${objection.message}`;
}
