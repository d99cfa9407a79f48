/**
 * Baton's public API. Named exports only; types exported as types. Importing this module never loads the CLI or the
 * HTTP server.
 */
export { loadProject, DEFAULT_CONFIG_FILE } from './config/load.js';
export type { Project, Stage, LoadProjectOptions, ModelSource } from './config/load.js';
export { BatonConfig, Limits, FlowStage } from './config/schema.js';
export { RoleConfig, RoleKind } from './config/roles.js';
export { ModelSpec, Capability, Zone, Pricing } from './config/models.js';
export { parsePrompt, renderTemplate, PROMPT_VARIABLES } from './config/prompts.js';
export type { PromptTemplate } from './config/prompts.js';

export { runGoal, validateGoal } from './runtime/run.js';
export type { RunDependencies, RunOptions, RunOutcome } from './runtime/run.js';
export { openRuntime } from './runtime/open.js';
export type { Runtime, OpenRuntimeOptions } from './runtime/open.js';

export { RunState, RunStatus } from './graph/state.js';
export type { RunStateValue, Finding, Claim, Verdict, Draft, RoleMessage, UsageEntry } from './graph/state.js';
export type { RunEvent } from './graph/node.js';
export { nextStep, maxRounds, budgetExceeded, finalStatus } from './graph/supervisor.js';
export type { StopCondition, NextStep } from './graph/supervisor.js';

export { Plan, PlanReply, PlanStep, Citation, ResearchOutput, VerdictOutput, Objection, GenericOutput } from './roles/schemas.js';
export { checkEvidence, normaliseForQuote } from './roles/evidence.js';
export type { EvidenceReport } from './roles/evidence.js';

export { ModelRegistry } from './models/registry.js';
export { OfflineModel } from './models/offline/index.js';
export { OpenAICompatibleChatModel } from './models/openai.js';
export { ScriptedModel, answerAfter } from './models/scripted.js';
export type { Script, ScriptedReply } from './models/scripted.js';
export type { ChatModel, ChatMessage, ModelRequest, ModelResponse, ToolSpec, Usage } from './models/types.js';

export { FolderEvidence } from './knowledge/folder.js';
export type { EvidenceSource, Passage, SourceText } from './knowledge/types.js';
export { defineTool } from './tools/types.js';
export type { ToolDefinition, ToolContext, ToolResult } from './tools/types.js';
export { ToolRegistry } from './tools/registry.js';

export type { RunStore, RunQueue, Decision, GateRecord, PendingDecision } from './stores/port.js';
export { SqliteRunStore } from './stores/sqlite/store.js';
export { openRunStore } from './runtime/open-store.js';
export { resumeRun, submitRun, decideRun } from './runtime/run.js';
export { RunDispatcher } from './runtime/dispatcher.js';
export { TurnRecord, RunRecord, TRANSCRIPT_VERSION } from './transcript/schema.js';

export {
  BatonError,
  ConfigError,
  FlowError,
  RoleError,
  PromptError,
  GoalError,
  ModelError,
  ModelAuthError,
  ModelHttpError,
  ModelUnreachableError,
  ModelOutputError,
  DataFileError,
  exitCodeFor,
  httpStatusFor,
} from './errors.js';
export type { BatonErrorCode } from './errors.js';
