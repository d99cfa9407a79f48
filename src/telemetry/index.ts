/**
 * Baton's OpenTelemetry trace export, behind one small interface the runtime calls: a span for the run, for each turn,
 * model call and tool call, and for each guard decision. Off unless the standard OTEL_* variables name a collector, and
 * then it costs nothing: this module imports no OpenTelemetry package (types only), and the SDK is loaded with a
 * dynamic `import()` of ./otel.js only when telemetry is on, so `baton --version` never pays for it.
 */
import type { GuardEvent } from '../guards/types.js';

/** What the run span records. */
export interface RunSpanInfo {
  runId: string;
  /** True when the run continues from a checkpoint. */
  resumed?: boolean;
  /** The engine that runs the roles (`offline`, `models`, ...), as `baton.run.engine`. */
  engine?: string;
  /** The goal's length in characters (never its text), as `baton.run.goal_length`. */
  goalLength?: number;
}

/** What a turn span records. */
export interface TurnSpanInfo {
  runId: string;
  role: string;
  /** The role's kind: `planner`, `researcher`, `checker`, `generic`, `human`, `action`, `supervisor`. */
  kind: string;
  round: number;
  /** The plan step the turn works on, if any. */
  stepId?: string;
}

/** What a model-call span records before the call. Never the prompt. */
export interface ModelCallInfo {
  operation: 'chat' | 'embeddings';
  /** The provider as GenAI semantic conventions name it: `openai`, `anthropic`, `ollama`, ... */
  provider: string;
  model: string;
  /** The endpoint's base URL; only its host and port are recorded. */
  serverUrl?: string;
  maxTokens?: number;
  temperature?: number;
  /** Why the router picked this model. */
  routingReason?: string;
}

/** What a model-call span records from the call's result. Never the completion. */
export interface ModelCallResult {
  responseModel?: string;
  inputTokens?: number;
  outputTokens?: number;
  finishReasons?: string[];
  costUsd?: number;
}

/** What a tool-call span records before the call. Never the arguments. */
export interface ToolCallInfo {
  name: string;
  callId?: string;
  /** `function` for built-in and MCP tools, `extension` for connector operations. */
  type?: string;
  /** True when the call changes something outside Baton. */
  sideEffect?: boolean;
}

/** What a tool-call span records from the call's result. Never the result's text. */
export interface ToolCallResult {
  /** True when the result came from the outbox rather than a new call. */
  replayed?: boolean;
  /** A short error code or class when the tool returned an error result (the span's status becomes ERROR). */
  error?: string;
}

/**
 * The seam the runtime calls. Every method runs `fn` inside its span and returns (or throws) exactly what `fn` does;
 * a telemetry failure never fails the run.
 */
export interface Telemetry {
  readonly enabled: boolean;
  /**
   * The whole run: span `invoke_agent baton` with gen_ai.operation.name, gen_ai.agent.name=`baton`,
   * gen_ai.conversation.id and baton.run.* attributes. `status` maps the result to `baton.run.status`; status `failed`
   * marks the span ERROR, and so does a thrown error (with baton.run.status `failed`).
   */
  run<T>(info: RunSpanInfo, fn: () => Promise<T>, status?: (value: T) => string): Promise<T>;
  /** One turn of one role: span `invoke_agent <role>` with baton.turn.kind, baton.turn.round, baton.turn.step. */
  turn<T>(info: TurnSpanInfo, fn: () => Promise<T>): Promise<T>;
  /**
   * One model call: CLIENT span `chat <model>` (or `embeddings <model>`) with the GenAI attributes (operation,
   * provider, request and response model, token usage, finish reasons, server) and baton.routing.reason,
   * baton.cost_usd. No prompt or completion text is recorded: either may hold personal data.
   */
  modelCall<T>(info: ModelCallInfo, fn: () => Promise<T>, result?: (value: T) => ModelCallResult): Promise<T>;
  /** One tool call: span `execute_tool <name>` with gen_ai.tool.* and baton.tool.side_effect, baton.tool.replayed. */
  toolCall<T>(info: ToolCallInfo, fn: () => Promise<T>, result?: (value: T) => ToolCallResult): Promise<T>;
  /**
   * A guard decision: a zero-length span `guard <surface>` under the current span, with baton.guard.surface, action,
   * source, detectors, rules and score (the highest). A span rather than an event because Jaeger and Langfuse search
   * and filter on span attributes (Langfuse does not show span events at all), and a span sits in the trace tree
   * right under the tool call or turn that triggered it.
   */
  guard(event: GuardEvent): void;
  /** Flushes what is buffered. Never throws; resolves within about 3 s even when the collector is down. */
  shutdown(): Promise<void>;
}

/** Telemetry that is off: runs `fn` and records nothing. A plain object with no OpenTelemetry behind it. */
export const noTelemetry: Telemetry = Object.freeze({
  enabled: false,
  run: (_info, fn) => fn(),
  turn: (_info, fn) => fn(),
  modelCall: (_info, fn) => fn(),
  toolCall: (_info, fn) => fn(),
  guard: () => undefined,
  shutdown: () => Promise.resolve(),
} satisfies Telemetry);

/** The OTLP encodings Baton can send. */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

export interface CreateTelemetryOptions {
  /**
   * Where the switches are read: whether telemetry is on, the protocol, and whether an export timeout is set.
   * Defaults to `process.env`. The OpenTelemetry SDK reads the rest (endpoint, headers, timeout, compression,
   * certificates, service name, resource attributes, sampler, batch sizes) from `process.env` itself, as it has no
   * other source; so pass `process.env` (the default) or a copy of it, except in tests of the switches.
   */
  env?: NodeJS.ProcessEnv;
  /** Baton's version, recorded as the resource's service.version. */
  serviceVersion: string;
  /** Told once about a setting Baton cannot honour, and once when spans cannot be exported. */
  warn?: (message: string) => void;
}

/**
 * The exporter's timeout when the user sets none (the spec's default is 10 s): the exporter retries a refused
 * connection on timers that cannot be cancelled, so this bounds how long a finished CLI stays alive when the
 * collector is down.
 */
const DEFAULT_EXPORT_TIMEOUT_MS = 2_000;

/** Which protocol to use, or null when telemetry is off. */
function telemetrySettings(env: NodeJS.ProcessEnv, warn: (message: string) => void): { protocol: OtlpProtocol } | null {
  const read = (name: string): string | undefined => env[name]?.trim() || undefined;
  if (read('OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return null;
  if (!read('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') && !read('OTEL_EXPORTER_OTLP_ENDPOINT')) return null;
  const exporters = (read('OTEL_TRACES_EXPORTER') ?? 'otlp').split(',').map((name) => name.trim().toLowerCase());
  if (exporters.includes('none')) return null;
  const unsupported = exporters.filter((name) => name !== 'otlp' && name !== '');
  if (unsupported.length > 0) warn(`OTEL_TRACES_EXPORTER=${unsupported.join(',')} is not supported; Baton exports traces over OTLP only.`);
  const protocol = read('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? read('OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf';
  switch (protocol) {
    case 'http/protobuf':
    case 'http/json':
      return { protocol };
    case 'grpc':
      warn('OTLP over gRPC is not supported; Baton sends traces over http/protobuf instead (a collector listens for it on port 4318, not 4317).');
      return { protocol: 'http/protobuf' };
    default:
      warn(`OTLP protocol "${protocol}" is not known; Baton sends traces over http/protobuf.`);
      return { protocol: 'http/protobuf' };
  }
}

/**
 * The telemetry the environment asks for: `noTelemetry` unless OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set (and neither OTEL_SDK_DISABLED=true nor OTEL_TRACES_EXPORTER=none).
 * Never throws: should the SDK fail to start, it warns and returns `noTelemetry`.
 */
export async function createTelemetry(options: CreateTelemetryOptions): Promise<Telemetry> {
  const env = options.env ?? process.env;
  const warn = (message: string): void => {
    try {
      options.warn?.(message);
    } catch {
      // A failing warning callback must not stop the run.
    }
  };
  const settings = telemetrySettings(env, warn);
  if (!settings) return noTelemetry;
  const userTimeout = env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT?.trim() || env.OTEL_EXPORTER_OTLP_TIMEOUT?.trim();
  try {
    const { createOtelTelemetry } = await import('./otel.js');
    return createOtelTelemetry({
      protocol: settings.protocol,
      serviceVersion: options.serviceVersion,
      exportTimeoutMillis: userTimeout ? undefined : DEFAULT_EXPORT_TIMEOUT_MS,
      warn,
    });
  } catch (error) {
    warn(`OpenTelemetry could not start (${error instanceof Error ? error.message : String(error)}); the run goes on without traces.`);
    return noTelemetry;
  }
}
