/**
 * Builds a run's guard and output policy from the project: the detectors the config turns on (the built-in
 * heuristics, an optional classifier served like a model), the run's spotlighting keys from its seed.
 */
import type { ModelRegistry } from '../models/registry.js';
import type { Detector } from '../routing/detectors.js';
import { ClassifierDetector } from './classifier.js';
import type { GuardsConfig, OutputPolicyConfig } from './config.js';
import { heuristicDetector } from './heuristics.js';
import { OutputPolicy } from './output-policy.js';
import { RunGuard } from './run-guard.js';
import { spotlightKeys } from './spotlight.js';
import type { GuardEvent, InjectionDetector } from './types.js';

/** The detectors the config asks for (the config loader checked that a classifier is a declared private model). */
export function guardDetectors(config: GuardsConfig, models: Pick<ModelRegistry, 'get' | 'spec'> | undefined, redact?: (text: string) => string): InjectionDetector[] {
  const detectors: InjectionDetector[] = [];
  if (config.heuristics) detectors.push(heuristicDetector);
  if (config.classifier && models) {
    const spec = models.spec(config.classifier.model);
    detectors.push(new ClassifierDetector({ name: spec.name, model: models.get(spec.name), threshold: config.classifier.threshold, timeoutMs: config.classifier.timeoutMs, ...(redact ? { redact } : {}) }));
  }
  return detectors;
}

/** A run's guard: keys from the run id and the seed kept in its state. */
export function runGuard(config: GuardsConfig, runId: string, seed: string | undefined, detectors: readonly InjectionDetector[], observe?: (event: GuardEvent) => void): RunGuard {
  return new RunGuard(config, spotlightKeys(runId, seed), detectors, Date.now, observe);
}

export function outputPolicy(config: OutputPolicyConfig, detectors: readonly Detector[]): OutputPolicy {
  return new OutputPolicy(config, detectors);
}
