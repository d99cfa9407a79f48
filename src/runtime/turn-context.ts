/**
 * What one turn's role context derives from the run's state: the evidence it searches (the knowledge base and the
 * attachments, plus what the run has read so far) and the routing labels (the run's, with the priority a role raised).
 */
import type { Stage } from '../config/load.js';
import type { RunStateValue } from '../graph/state.js';
import { FolderEvidence } from '../knowledge/folder.js';
import type { EvidenceSource } from '../knowledge/types.js';
import type { RunLabels } from '../routing/needs.js';
import { CombinedEvidence } from './attachments.js';

/** The run's own sources (state.fetched) searched beside `evidence`; `evidence` alone while there are none. */
export function runEvidence(state: RunStateValue, evidence: EvidenceSource): EvidenceSource {
  const read = Object.entries(state.fetched ?? {});
  return read.length ? new CombinedEvidence([FolderEvidence.fromTexts(read), evidence]) : evidence;
}

const PRIORITY_RANK: Record<RunLabels['priority'], number> = { batch: 0, normal: 1, urgent: 2 };

/**
 * The run's labels for a call, with the priority raised by what a role read (a role's `priorityFrom` field, e.g. an
 * intent role finding the inquiry urgent): urgent calls then prefer the fastest eligible model; and confidential once
 * the run is tainted by personal or confidential data.
 */
export function raisedLabels(labels: RunLabels, stages: readonly Stage[], state: RunStateValue): RunLabels {
  let priority = labels.priority;
  for (const stage of stages) {
    const field = stage.role.config.priorityFrom;
    const output = field ? (state.outputs?.[stage.name] as Record<string, unknown> | undefined) : undefined;
    const value = output?.[field!];
    if (value === 'urgent' || value === 'normal' || value === 'batch') {
      if (PRIORITY_RANK[value] > PRIORITY_RANK[priority]) priority = value;
    }
  }
  // Once the run has met personal or confidential data, every call is confidential: what it passes on derives from it.
  const confidential = labels.confidential || state.tainted === true;
  return priority === labels.priority && confidential === labels.confidential ? labels : { ...labels, priority, confidential };
}
