/**
 * A run's flow fingerprint: a hash of its stages and everything that decides what they do (role files, prompts,
 * gates, limits), but not which models answer. A run started under one flow is only resumed under the same one: a checkpoint's next node, its
 * turn keys and its state only mean something to the graph that wrote them.
 */
import { createHash } from 'node:crypto';
import type { Project } from '../config/load.js';
import { ChecksConfig } from '../verify/config.js';

export interface FlowFingerprint {
  hash: string;
  stages: string[];
  /** A hash of each stage (by name) and of the limits, to say what changed. */
  parts: Record<string, string>;
}

function shortHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

export function flowFingerprint(project: Project): FlowFingerprint {
  const described = project.stages.map((stage) => ({
    name: stage.name,
    kind: stage.kind,
    human: stage.human ?? null,
    // Which model answers is not the flow: a run may be resumed on another model (its own may be what failed).
    role: stage.kind === 'human' ? null : { ...stage.role.config, model: undefined, needs: undefined, temperature: undefined },
    prompt: stage.kind === 'human' ? null : { system: stage.prompt.system, user: stage.prompt.user },
    onReject: stage.onReject ?? null,
    // Only action stages carry this key, so the fingerprints of flows without actions are what they were.
    ...(stage.action ? { action: stage.action } : {}),
    ...(stage.group ? { group: stage.group.members } : {}),
  }));
  // Checks enter the fingerprint only when they differ from the defaults, so runs started before they existed still match.
  const checks = JSON.stringify(project.config.checks) === JSON.stringify(ChecksConfig.parse({})) ? undefined : project.config.checks;
  const hash = shortHash({ stages: described, limits: project.config.limits, ...(checks ? { checks } : {}) });
  const parts: Record<string, string> = { limits: shortHash(project.config.limits), ...(checks ? { checks: shortHash(checks) } : {}) };
  for (const stage of described) parts[stage.name] = shortHash(stage);
  return { hash, stages: project.stages.map((stage) => (stage.kind === 'human' ? `${stage.name} (human)` : stage.kind === 'action' ? `${stage.name} (action)` : stage.name)), parts };
}

/** What differs between two fingerprints, in words: stages added, removed or changed, and the limits. */
export function flowChanges(before: Pick<FlowFingerprint, 'stages'> & { parts?: Record<string, string> | undefined }, after: FlowFingerprint): string {
  if (!before.parts) return 'the stages, roles, prompts or limits';
  const changes: string[] = [];
  for (const [name, part] of Object.entries(after.parts)) {
    if (!(name in before.parts)) changes.push(`${name} added`);
    else if (before.parts[name] !== part) changes.push(name === 'limits' || name === 'checks' ? `the ${name}` : `${name} (its role, prompt or gate)`);
  }
  for (const name of Object.keys(before.parts)) if (!(name in after.parts)) changes.push(`${name} removed`);
  if (changes.length === 0 && before.stages.join() !== after.stages.join()) changes.push('the order of the stages');
  return changes.join(', ') || 'the flow';
}
