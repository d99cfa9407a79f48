/**
 * What a role needs while it runs, injected by the supervisor: its stage, its model, tools, evidence, limits, the
 * run's abort signal and a clock. Roles reach for nothing global.
 */
import type { Stage } from '../config/load.js';
import type { Limits } from '../config/schema.js';
import { renderTemplate } from '../config/prompts.js';
import type { EvidenceSource } from '../knowledge/types.js';
import type { ChatMessage, ChatModel } from '../models/types.js';
import type { TurnMeter } from '../models/routed.js';
import type { FetchPolicy } from '../net/policy.js';
import type { ToolRegistry } from '../tools/registry.js';
import type { ToolRunner } from './structured.js';
import type { Redactor } from '../transcript/redact.js';
import type { ChecksConfig } from '../verify/config.js';
import type { RunGuard } from '../guards/run-guard.js';
import type { Telemetry } from '../telemetry/index.js';

export interface RoleContext {
  stage: Stage;
  model: ChatModel;
  limits: Limits;
  /** Thresholds of the deterministic claim checks a checker runs. */
  checks: ChecksConfig;
  tools: ToolRegistry;
  /**
   * Connector operations (`connector.operation`) as tools for this turn's model, when the runtime has connectors;
   * `markRead` makes each result a source of the run (for citations and the checker).
   */
  operationTools?: (ids: readonly string[], markRead: (source: string, text: string) => void) => Promise<ToolRunner>;
  evidence: EvidenceSource;
  fetchPolicy: FetchPolicy;
  /** The web search endpoint, when configured. */
  webSearchUrl?: string;
  /** Text of sources read during the run that the evidence source cannot read again (fetched pages). */
  sourceCache: Map<string, string>;
  signal: AbortSignal;
  /** Images attached to the run; planner and researcher prompts carry them, so those calls need a vision model. */
  images: ReadonlyArray<{ name: string; mimeType: string; bytes: Buffer }>;
  /** Cost and events (routing decisions, retries, fallbacks) of this turn's model calls. */
  meter: TurnMeter;
  now: () => number;
  onToken?: (delta: string) => void;
  /** Removes secrets: what the role produces is redacted before it enters the state, so quotes are compared redacted. */
  redact?: Redactor;
  /**
   * The run's guard: the spotlighting rule and canary in system prompts, untrusted text marked, tool results and
   * passages screened, the canary watched for in replies. Absent (library callers, tests) means no guard.
   */
  guard?: RunGuard;
  /** OpenTelemetry: a span per tool call. */
  telemetry?: Telemetry;
}

/** Renders a stage's prompt with the variables its kind provides. */
export function renderPrompt(context: RoleContext, variables: Record<string, unknown>): ChatMessage[] {
  const values = { role: context.stage.name, description: context.stage.role.config.description, ...variables };
  const user = renderTemplate(context.stage.prompt.user, values);
  // Planners and researchers see the run's images; a generic role sees them when it declares it needs vision (an
  // inspector of a defect photo), so a text-only role such as an intent extractor stays on a text model.
  const seesImages = context.stage.kind === 'planner' || context.stage.kind === 'researcher' || (context.stage.kind === 'generic' && (context.stage.needs.capabilities ?? []).includes('vision'));
  const withImages = context.images.length > 0 && seesImages;
  return [
    { role: 'system', content: withGuardRule(renderTemplate(context.stage.prompt.system, values), context.guard?.systemText() ?? '') },
    {
      role: 'user',
      content: withImages
        ? [{ type: 'text', text: user }, ...context.images.map((image) => ({ type: 'image' as const, mimeType: image.mimeType, dataBase64: image.bytes.toString('base64') }))]
        : user,
    },
  ];
}

/** The system prompt with the guard's rule (spotlighting and canary) after it, when guards are on. */
function withGuardRule(system: string, rule: string): string {
  return rule ? `${system}\n\n${rule}` : system;
}
