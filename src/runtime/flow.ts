/**
 * A run's flow fingerprint: a hash of its stages and everything that decides what they do (role files, prompts,
 * gates, limits), but not which models answer. A run started under one flow is only resumed under the same one: a checkpoint's next node, its
 * turn keys and its state only mean something to the graph that wrote them.
 */
import { createHash } from 'node:crypto';
import type { Project } from '../config/load.js';

export interface FlowFingerprint {
  hash: string;
  stages: string[];
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
  }));
  const hash = createHash('sha256').update(JSON.stringify({ stages: described, limits: project.config.limits })).digest('hex').slice(0, 16);
  return { hash, stages: project.stages.map((stage) => (stage.kind === 'human' ? `${stage.name} (human)` : stage.name)) };
}
