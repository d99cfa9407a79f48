/** `baton show`: a run's transcript, turn by turn, as a person reads it. */
import type { RunRecord, TurnRecord } from '../transcript/schema.js';
import { formatCost, formatDuration, truncate, turnHeadline } from './format.js';
import { checkerDetails } from './verdict-view.js';
import { redactedNote } from '../graph/compose.js';

interface ClaimView {
  id?: string;
  text: string;
  citations: Array<{ source: string; quote: string }>;
}

function indent(text: string, prefix = '    '): string {
  return text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}

function details(turn: TurnRecord): string[] {
  const output = (turn.output ?? {}) as Record<string, unknown>;
  const lines: string[] = [];
  switch (turn.kind) {
    case 'planner':
      for (const step of (output['steps'] as Array<{ id: string; question: string; rationale?: string }> | undefined) ?? []) {
        lines.push(`${step.id}. ${step.question}${step.rationale ? `  (${step.rationale})` : ''}`);
      }
      break;
    case 'researcher':
      ((output['claims'] as ClaimView[] | undefined) ?? []).forEach((claim, index) => {
        lines.push(`claim ${turn.stepId}.c${index + 1}: ${claim.text}`);
        for (const citation of claim.citations) lines.push(`    cites ${citation.source}: "${truncate(citation.quote, 100)}"${redactedNote((citation as { redacted?: string[] }).redacted)}`);
      });
      for (const gap of (output['gaps'] as string[] | undefined) ?? []) lines.push(`gap: ${gap}`);
      break;
    case 'checker':
      lines.push(...checkerDetails(turn.output));
      break;
    case 'human':
      lines.push(`${String(output['decision'])} of the ${String(output['review'])} by ${String(output['by'])} at ${String(output['decidedAt'])}`);
      if (typeof output['note'] === 'string') lines.push(`${output['decision'] === 'reject' ? 'reason' : 'note'}: ${output['note']}`);
      break;
    case 'supervisor':
      if (turn.from === 'user') lines.push(`goal: ${turn.messages[0]?.content ?? ''}`);
      else if (typeof output['awaiting'] === 'string') lines.push(`waiting for a person at "${output['awaiting']}": ${turn.messages[0]?.content ?? ''}`);
      else if (typeof output['decision'] === 'string') {
        lines.push(`decision received: ${output['decision']} of the ${String(output['review'])} at "${String(output['gate'])}" by ${String(output['by'])} at ${String(output['decidedAt'])}`);
        if (typeof output['note'] === 'string') lines.push(`${output['decision'] === 'reject' ? 'reason' : 'note'}: ${output['note']}`);
      }
      else {
        lines.push(`status: ${String(output['status'])}; verified: ${String(output['verified'])}`);
        for (const objection of (output['objections'] as string[] | undefined) ?? []) lines.push(`open objection: ${objection}`);
      }
      break;
    default:
      if (typeof output['message'] === 'string') lines.push(`message: ${output['message']}`);
      if (typeof output['draft'] === 'string') lines.push('wrote the draft:', indent(output['draft'], '  '));
  }
  for (const call of turn.toolCalls) {
    lines.push(`tool ${call.name}(${truncate(JSON.stringify(call.arguments), 80)}) → ${call.resultSummary} in ${formatDuration(call.durationMs)}${call.error ? ` ERROR ${call.error}` : ''}`);
  }
  for (const event of turn.events) lines.push(describeEvent(event));
  if (turn.error) lines.push(`error ${turn.error.code}: ${turn.error.message}`);
  return lines;
}

/** A turn event in words: routing decisions, retries, fallbacks, cooldowns, invalid replies. */
function describeEvent(event: TurnRecord['events'][number]): string {
  const field = (name: string): string => String(event[name] ?? '');
  switch (event.type) {
    case 'route': {
      const candidates = (event['candidates'] as Array<{ model: string; eligible: boolean; reasons: string[] }> | undefined) ?? [];
      const confidential = event['confidential'] as { required?: boolean; detectors?: string[] } | undefined;
      const excluded = candidates.filter((candidate) => !candidate.eligible).map((candidate) => `${candidate.model} (${candidate.reasons.join(', ')})`);
      return (
        `route: chose ${field('chosen')} from [${((event['ranked'] as string[] | undefined) ?? []).join(', ')}], est. $${Number(event['estimatedCostUsd'] ?? 0).toFixed(5)}` +
        (confidential?.required ? `; private only${confidential.detectors?.length ? ` (detected: ${confidential.detectors.join(', ')})` : ' (confidential run)'}` : '') +
        (excluded.length ? `; excluded ${excluded.join('; ')}` : '')
      );
    }
    case 'retry':
      return `retry ${field('model')} after ${field('error')}, waiting ${field('waitMs')} ms`;
    case 'fallback':
      return `fallback from ${field('model')} to ${field('nextModel')}: ${field('error')}`;
    case 'cooldown':
      return `cooldown ${field('model')} for ${field('waitMs')} ms after ${field('error')}`;
    case 'output-invalid':
      return `reply ${field('attempt')} did not match the schema: ${truncate(field('problem'), 100)}`;
    default:
      return `event ${event.type}: ${truncate(JSON.stringify({ ...event, type: undefined, at: undefined }), 120)}`;
  }
}

/** Which sources the run's researchers read, and which claims each backs. */
function sourcesSection(turns: TurnRecord[]): string[] {
  const backing = new Map<string, Set<string>>();
  for (const turn of turns) {
    if (turn.kind !== 'researcher') continue;
    for (const call of turn.toolCalls) {
      const summary = /from (.+)$/.exec(call.resultSummary)?.[1];
      for (const source of summary?.split(', ') ?? []) if (!backing.has(source)) backing.set(source, new Set());
    }
    ((turn.output as { claims?: ClaimView[] } | null)?.claims ?? []).forEach((claim, index) => {
      for (const citation of claim.citations) {
        const claims = backing.get(citation.source) ?? new Set<string>();
        claims.add(`r${turn.round}:${turn.stepId}.c${index + 1}`);
        backing.set(citation.source, claims);
      }
    });
  }
  return [...backing.entries()].map(([source, claims]) => `  ${source}: ${claims.size ? [...claims].join(', ') : 'read, backs no claim'}`);
}

export function formatTranscript(run: RunRecord, turns: TurnRecord[], options: { verbose?: boolean } = {}): string {
  const lines = [
    `Run ${run.id}  ${run.status}${run.result?.verification.verified ? ' (verified)' : ''}`,
    `Goal: ${run.goal}`,
    `Started ${run.startedAt}  duration ${formatDuration(run.durationMs)}  rounds ${run.rounds}  tokens ${run.inputTokens + run.outputTokens}  cost ${formatCost(run.costUsd, run.costEstimated)}  engine ${run.engine}`,
    '',
  ];
  for (const turn of turns) {
    lines.push(
      `#${turn.seq} [round ${turn.round}] ${turn.from} → ${turn.to.join(', ')}  ${turn.model ?? ''}  ${formatDuration(turn.latencyMs)}  ${turn.usage.totalTokens ? `${turn.usage.estimated ? '~' : ''}${turn.usage.totalTokens} tok  ${formatCost(turn.costUsd, turn.usage.estimated)}` : ''}`.trimEnd(),
    );
    lines.push(`   ${turnHeadline(turn)}`);
    for (const line of details(turn)) lines.push(indent(line, '   '));
    if (options.verbose) for (const message of turn.messages) lines.push(indent(`${message.role}: ${message.content}`, '   | '));
    lines.push('');
  }
  const sources = sourcesSection(turns);
  if (sources.length) lines.push('Sources read:', ...sources, '');
  if (run.result) {
    lines.push(run.result.verification.verified ? 'Answer (verified by the checker):' : 'Best draft (NOT verified):', run.result.answer, '');
    if (run.result.citations.length) lines.push('Citations:', ...run.result.citations.map((citation) => `  [${citation.marker}] ${citation.source}: "${truncate(citation.quote, 120)}"${redactedNote(citation.redacted)}`));
  }
  if (run.error) lines.push(`Error ${run.error.code}: ${run.error.message}`);
  return lines.join('\n');
}
