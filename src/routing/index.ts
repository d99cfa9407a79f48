/**
 * Routing: the policy router, confidential-data detectors, the resilience layer and cost accounting. Pure modules
 * with injected clocks; nothing here knows about LangGraph.
 */
export * from './needs.js';
export * from './router.js';
export * from './health.js';
export * from './detectors.js';
export * from './inspect.js';
export * from './resilience.js';
export * from './cost.js';
export { passesIbanCheck, passesLuhn } from './checksums.js';
