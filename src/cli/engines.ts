/**
 * The line `baton run` prints about which engine answers each role. Roles can be on different engines (one on a
 * configured endpoint, one on the offline engine, one routed by its needs), and a banner that named only one of them
 * would mislead: a run partly on the offline engine is not a run "using the offline engine", nor the other way round.
 */
import type { Project, Stage } from '../config/load.js';
import type { ModelSpec } from '../config/models.js';
import { routableSpecs } from '../models/routed.js';
import { defaultRunLabels, type RunLabels } from '../routing/needs.js';
import { NoEligibleModelError, route } from '../routing/router.js';

/** An endpoint as shown: scheme, host, port and path; never a user name, password, query or fragment. */
export function displayEndpoint(baseUrl: string): string {
  try {
    const url = new URL(baseUrl);
    return `${url.origin}${url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '')}`;
  } catch {
    return '(invalid URL)';
  }
}

function describeModel(spec: ModelSpec): string {
  return spec.provider === 'offline' ? 'offline' : `${spec.name} (openai-compatible, ${displayEndpoint(spec.baseUrl)}, ${spec.model})`;
}

/**
 * What answers one role: its named model, or the models the router would rank for it under `labels` (before any call:
 * detected confidential data, an attached image or a cooldown can narrow the list during the run).
 */
export function describeStageEngine(stage: Pick<Stage, 'model' | 'needs'>, models: readonly ModelSpec[], labels: RunLabels = defaultRunLabels): string {
  if (stage.model !== undefined) {
    const spec = models.find((model) => model.name === stage.model);
    return spec ? describeModel(spec) : `${stage.model} (not registered)`;
  }
  try {
    const decision = route(stage.needs, labels, routableSpecs(stage.needs, models), {});
    return `routed by needs (candidates: ${decision.ranked.join(', ')})`;
  } catch (error) {
    if (error instanceof NoEligibleModelError) return 'routed by needs (no eligible model)';
    throw error;
  }
}

/**
 * `Engines: planner → local (openai-compatible, http://localhost:11434/v1, llama3.1); researcher → offline; ...`, one
 * entry per role in flow order, or `Engines: every role → ...` when all roles share one engine.
 */
export function describeEngines(project: Pick<Project, 'stages' | 'models'>, labels: RunLabels = defaultRunLabels): string {
  // A human gate calls no model.
  const entries = project.stages.filter((stage) => stage.kind !== 'human' && stage.kind !== 'action').map((stage) => ({ role: stage.name, engine: describeStageEngine(stage, project.models, labels) }));
  const engines = new Set(entries.map((entry) => entry.engine));
  const [only] = engines;
  if (engines.size === 1 && only !== undefined) return `Engines: every role → ${only === 'offline' ? 'offline (no network, deterministic)' : only}`;
  return `Engines: ${entries.map((entry) => `${entry.role} → ${entry.engine}`).join('; ')}`;
}
