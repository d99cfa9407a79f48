/**
 * The role context of one turn: its routed model (a fresh meter per turn), the evidence it searches, the run's images,
 * limits, and the run's guard (spotlighting keys from the run's seed, the detectors). Built by the supervisor for each
 * turn from the run's dependencies and the state the turn starts from.
 */
import type { Project, Stage } from '../config/load.js';
import type { RunStateValue } from '../graph/state.js';
import type { GuardEvent, InjectionDetector } from '../guards/types.js';
import { runGuard } from '../guards/setup.js';
import type { EvidenceSource } from '../knowledge/types.js';
import { RoutedModel, type TurnMeter } from '../models/routed.js';
import type { RoleContext } from '../roles/context.js';
import type { HealthTracker } from '../routing/health.js';
import type { RunLabels } from '../routing/needs.js';
import type { RunStore } from '../stores/port.js';
import type { Attachment } from './attachments.js';
import type { RunDependencies } from './run.js';
import { raisedLabels, runEvidence } from './turn-context.js';

export interface RoleContextSetup {
  deps: RunDependencies & { health: HealthTracker };
  project: Project;
  store: RunStore;
  runId: string;
  labels: RunLabels;
  evidence: () => EvidenceSource;
  images: () => Attachment[];
  detectors: readonly InjectionDetector[];
  /** Sees every guard decision (telemetry), with its source redacted. */
  observe?: (event: GuardEvent) => void;
  signal: AbortSignal;
  now: () => number;
}

export function roleContextFactory(setup: RoleContextSetup): (stage: Stage, state: RunStateValue) => RoleContext {
  const { deps, project, store, runId, labels, now } = setup;
  return (stage, state) => {
    const meter: TurnMeter = { events: [], costUsd: 0 };
    return {
      stage,
      meter,
      model: new RoutedModel({
        registry: deps.models,
        specs: project.models,
        needs: stage.needs,
        labels: raisedLabels(labels, project.stages, state),
        health: deps.health,
        detectors: project.detectors,
        meter,
        spentUsd: () => state.usage.reduce((sum, entry) => sum + entry.costUsd, 0),
        now,
        retry: project.config.resilience,
        redact: store.redact,
        ...(deps.sleep ? { sleep: deps.sleep } : {}),
        ...(deps.telemetry ? { telemetry: deps.telemetry } : {}),
      }),
      ...(deps.telemetry ? { telemetry: deps.telemetry } : {}),
      redact: store.redact,
      limits: project.config.limits,
      checks: project.config.checks,
      tools: deps.tools,
      // What the run has read so far (records of actions and tools, roles' findings, fetched pages) is searchable
      // beside the knowledge base and the attachments, so a researcher finds and cites it.
      evidence: runEvidence(state, setup.evidence()),
      images: setup.images(),
      fetchPolicy: project.config.tools.fetch,
      ...(project.config.tools.webSearch ? { webSearchUrl: project.config.tools.webSearch.url } : {}),
      // Pages fetched earlier in the run, from the state: the same text in whichever process resumes it.
      sourceCache: new Map(Object.entries(state.fetched ?? {})),
      signal: setup.signal,
      now,
      guard: runGuard(project.config.guards, runId, state.guardSeed, setup.detectors, setup.observe),
    };
  };
}
