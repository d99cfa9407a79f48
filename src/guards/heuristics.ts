/** The built-in prompt-injection detector; its modules and their description are in ./heuristics/index.ts. */
export {
  alternation,
  compilePattern,
  detectInjection,
  detectionForm,
  expandMarkers,
  foldSource,
  heuristicDetector,
  mappedForm,
  type DetectionForm,
} from './heuristics/index.js';
