/** The HTTP API and web dashboard behind `baton serve`. */
export { createServer, startServer, DEFAULT_HOST, DEFAULT_PORT, type RunningServer, type ServerOptions, type StartServerOptions } from './app.js';
export { API_TOKENS_ENV, assertSafeBinding, createTokenCheck, isLoopbackHost, resolveApiTokens, type TokenSources } from './auth.js';
export { ApiError, ServerConfigError, type ApiErrorBody, type ApiErrorCode } from './errors.js';
export { computeStats, type StatsReport } from '../transcript/stats.js';
export type { RunEnd } from '../runtime/dispatcher.js';
export type { QueuedRunView, RunSummary } from './routes.js';
