/**
 * The model a role calls when routing is on: for every call it scans what is about to be sent, asks the router for a
 * ranked list of eligible models, and calls them through the resilience layer (retries, cooldown, fallback). The
 * decision, each retry and each fallback go to the turn's events; cost is accounted from the model that answered.
 */
import { OFFLINE_MODEL_NAME, type ModelSpec } from '../config/models.js';
import { AllModelsFailedError, BatonError, BudgetExceededError } from '../errors.js';
import type { Detector } from '../routing/detectors.js';
import type { HealthTracker } from '../routing/health.js';
import { scanMessages } from '../routing/inspect.js';
import type { RouteDecision, RouteNeeds, RunLabels } from '../routing/needs.js';
import { callWithFallback } from '../routing/resilience.js';
import { NoEligibleModelError, rankedModels, route } from '../routing/router.js';
import { costOf } from '../routing/cost.js';
import type { TurnEvent } from '../transcript/schema.js';
import type { ModelRegistry } from './registry.js';
import { redactRequest } from './redact-request.js';
import type { Redactor } from '../transcript/redact.js';
import type { ChatModel, ModelRequest, ModelResponse } from './types.js';
import type { Telemetry } from '../telemetry/index.js';

/** What one turn's calls cost and what happened during them; read by the supervisor when it records the turn. */
export interface TurnMeter {
  events: TurnEvent[];
  costUsd: number;
  /** The model of the last call attempted (`provider:model`), for the record of a turn that failed. */
  model?: string;
}

export interface RoutedModelOptions {
  registry: ModelRegistry;
  specs: readonly ModelSpec[];
  /** The role's needs: its name, a named model or capabilities, tier and preferences. */
  needs: RouteNeeds;
  labels: RunLabels;
  health: HealthTracker;
  detectors: readonly Detector[];
  meter: TurnMeter;
  /** Dollars the run has spent so far, this turn excluded. */
  spentUsd: () => number;
  now: () => number;
  /** Per-model retry and timeout settings. */
  retry?: { maxAttemptsPerModel?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** OpenTelemetry: a span per model call (GenAI semantic conventions). */
  telemetry?: Telemetry;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Applied to what is sent, after routing has looked at the original (so a secret still makes a call confidential). */
  redact?: Redactor;
}

/**
 * The models the router may choose from for a role. The offline engine answers only roles that name it (or prefer it):
 * it is no substitute for a language model. Also what `baton run` lists as a routed role's candidates.
 */
export function routableSpecs(needs: Pick<RouteNeeds, 'model' | 'prefer'>, specs: readonly ModelSpec[]): readonly ModelSpec[] {
  if (needs.model === OFFLINE_MODEL_NAME || needs.prefer?.includes(OFFLINE_MODEL_NAME)) return specs;
  return specs.filter((spec) => spec.provider !== 'offline');
}

/** A compact form of the router's decision for the transcript: the choice, the order and every candidate's reasons. */
function routeEvent(decision: RouteDecision, at: number): TurnEvent {
  return {
    type: 'route',
    at,
    chosen: decision.chosen,
    ranked: decision.ranked,
    estimatedCostUsd: decision.estimatedCostUsd,
    priority: decision.priority,
    confidential: decision.confidential,
    requiredCapabilities: decision.requiredCapabilities,
    candidates: decision.candidates.map((candidate) => ({ model: candidate.model, eligible: candidate.eligible, rank: candidate.rank, reasons: candidate.reasons })),
  };
}

export class RoutedModel implements ChatModel {
  readonly provider = 'openai-compatible' as const;
  readonly id = 'router';
  readonly name = 'router';
  readonly endpoint = 'router';
  private readonly options: RoutedModelOptions;

  constructor(options: RoutedModelOptions) {
    this.options = options;
  }

  private eligibleSpecs(): readonly ModelSpec[] {
    return routableSpecs(this.options.needs, this.options.specs);
  }

  async generate(request: ModelRequest): Promise<ModelResponse> {
    const { options } = this;
    const specs = this.eligibleSpecs();
    const scan = scanMessages(request.messages, options.detectors, request.tools ?? []);
    const spentUsd = options.spentUsd() + options.meter.costUsd;
    let decision: RouteDecision;
    try {
      decision = route(
        {
          ...options.needs,
          hasImage: scan.hasImage,
          detectedConfidential: scan.detectedConfidential,
          estimatedInputTokens: scan.estimatedInputTokens,
          spentUsd,
        },
        options.labels,
        specs,
        options.health.snapshot(),
      );
    } catch (error) {
      if (error instanceof NoEligibleModelError && error.candidates.some((candidate) => candidate.reasons.includes('over-budget'))) {
        throw new BudgetExceededError(`the next call would take the run past its budget of $${options.labels.budgetUsd} ($${spentUsd.toFixed(4)} spent)`);
      }
      throw error;
    }
    options.meter.events.push(routeEvent(decision, options.now()));
    const outgoing = options.redact ? redactRequest(request, options.redact) : request;
    const ranked = rankedModels(decision, specs);
    const result = await callWithFallback(
      ranked,
      async (spec, signal) => {
        const model = options.registry.get(spec.name);
        options.meter.model = model.id;
        if (!options.telemetry) return model.generate({ ...outgoing, signal });
        return options.telemetry.modelCall(
          { operation: 'chat', provider: spec.provider, model: spec.provider === 'openai-compatible' ? spec.model : spec.name, ...(spec.provider === 'openai-compatible' ? { serverUrl: spec.baseUrl } : {}), routingReason: decision.chosen === spec.name ? 'first choice' : 'fallback' },
          () => model.generate({ ...outgoing, signal }),
          (response) => ({ responseModel: response.model, inputTokens: response.usage.inputTokens, outputTokens: response.usage.outputTokens, costUsd: costOf(response.usage, spec.pricing) }),
        );
      },
      {
        health: options.health,
        ...(request.signal ? { signal: request.signal } : {}),
        ...(options.labels.deadlineMs !== undefined ? { deadlineMs: options.labels.deadlineMs } : {}),
        ...options.retry,
        ...(options.sleep ? { sleep: options.sleep } : {}),
        now: Date.now,
        onEvent: (event) => {
          if (event.type !== 'attempt-start') options.meter.events.push({ ...event, at: options.now() });
        },
      },
    ).catch((error: unknown) => {
      // With a single eligible model, its own error (and hint) says more than "every model failed". It is the failure
      // the resilience layer acted on, not whatever the call threw after a timeout aborted it.
      if (error instanceof AllModelsFailedError && ranked.length === 1 && error.cause instanceof BatonError) throw error.cause;
      throw error;
    });
    options.meter.costUsd += costOf(result.value.usage, result.model.pricing);
    return result.value;
  }
}
