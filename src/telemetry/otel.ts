/**
 * The OpenTelemetry-backed Telemetry: spans go through a BatchSpanProcessor to an OTLP/HTTP exporter (protobuf or
 * JSON). Loaded only by `createTelemetry` in ./index.ts, with a dynamic import, when the environment turns telemetry on.
 *
 * Nothing is registered globally: the tracer provider and the AsyncLocalStorage context manager belong to this object,
 * so Baton's spans never mix with a host application's own OpenTelemetry setup. The exporter reads its endpoint,
 * headers, timeout, compression and certificates from the OTEL_EXPORTER_OTLP_* variables itself; the env detector
 * reads OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES; the provider reads the sampler and limits.
 */
import { SpanKind, SpanStatusCode, trace, type Attributes, type AttributeValue, type Span, type SpanOptions, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ATTR_ERROR_TYPE, ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT, ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION, ERROR_TYPE_VALUE_OTHER } from '@opentelemetry/semantic-conventions';
import type { GuardEvent } from '../guards/types.js';
import type { ModelCallInfo, ModelCallResult, OtlpProtocol, RunSpanInfo, Telemetry, ToolCallInfo, ToolCallResult, TurnSpanInfo } from './index.js';
import * as genai from './semconv.js';

/** What `createTelemetry` decided from the environment, for the SDK-backed telemetry. */
export interface OtelTelemetryOptions {
  protocol: OtlpProtocol;
  serviceVersion: string;
  /** The exporter's timeout, including its retries; undefined lets the exporter read OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT. */
  exportTimeoutMillis?: number;
  warn: (message: string) => void;
}

/** How long `shutdown()` waits for the last spans to reach the collector. */
const SHUTDOWN_BUDGET_MS = 2_500;
/** `ExportResultCode.SUCCESS` of @opentelemetry/core, which Baton does not depend on directly. */
const EXPORT_SUCCESS = 0;
const EXPORT_FAILED = 1;

/** Starts the SDK. Throws only if the SDK itself cannot be built; `createTelemetry` then falls back to no telemetry. */
export function createOtelTelemetry(options: OtelTelemetryOptions): Telemetry {
  let warned = false;
  const reportOnce = (problem: string): void => {
    if (warned) return;
    warned = true;
    try {
      options.warn(`OpenTelemetry: ${problem}; spans are being dropped, the run goes on.`);
    } catch {
      // A failing warning callback must not fail the run either.
    }
  };
  const exporterConfig = options.exportTimeoutMillis === undefined ? {} : { timeoutMillis: options.exportTimeoutMillis };
  const exporter = options.protocol === 'http/json' ? new JsonTraceExporter(exporterConfig) : new ProtobufTraceExporter(exporterConfig);
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'baton', [ATTR_SERVICE_VERSION]: options.serviceVersion }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new BasicTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(reportingExporter(exporter, (error) => reportOnce(`could not export spans (${describeError(error)})`)))],
  });
  const contexts = new AsyncLocalStorageContextManager().enable();
  return new OtelTelemetry(provider, provider.getTracer('baton', options.serviceVersion), contexts, reportOnce);
}

class OtelTelemetry implements Telemetry {
  readonly enabled = true;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly provider: BasicTracerProvider,
    private readonly tracer: Tracer,
    private readonly contexts: AsyncLocalStorageContextManager,
    private readonly reportOnce: (problem: string) => void,
  ) {}

  run<T>(info: RunSpanInfo, fn: () => Promise<T>, status?: (value: T) => string): Promise<T> {
    const attributes = defined({
      [genai.ATTR_GEN_AI_OPERATION_NAME]: genai.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
      [genai.ATTR_GEN_AI_AGENT_NAME]: 'baton',
      [genai.ATTR_GEN_AI_CONVERSATION_ID]: info.runId,
      'baton.run.id': info.runId,
      'baton.run.goal_length': info.goalLength,
      'baton.run.resumed': info.resumed ?? false,
      'baton.run.engine': info.engine,
    });
    return this.inSpan('invoke_agent baton', { kind: SpanKind.INTERNAL, attributes }, fn, {
      onValue: (span, value) => {
        if (!status) return;
        const runStatus = status(value);
        span.setAttribute('baton.run.status', runStatus);
        if (runStatus === 'failed') span.setStatus({ code: SpanStatusCode.ERROR, message: 'run failed' });
      },
      onError: (span) => span.setAttribute('baton.run.status', 'failed'),
    });
  }

  turn<T>(info: TurnSpanInfo, fn: () => Promise<T>): Promise<T> {
    const attributes = defined({
      [genai.ATTR_GEN_AI_OPERATION_NAME]: genai.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
      [genai.ATTR_GEN_AI_AGENT_NAME]: info.role,
      [genai.ATTR_GEN_AI_CONVERSATION_ID]: info.runId,
      'baton.run.id': info.runId,
      'baton.turn.kind': info.kind,
      'baton.turn.round': info.round,
      'baton.turn.step': info.stepId,
    });
    return this.inSpan(`invoke_agent ${info.role}`, { kind: SpanKind.INTERNAL, attributes }, fn);
  }

  modelCall<T>(info: ModelCallInfo, fn: () => Promise<T>, result?: (value: T) => ModelCallResult): Promise<T> {
    const attributes = defined({
      [genai.ATTR_GEN_AI_OPERATION_NAME]: info.operation,
      [genai.ATTR_GEN_AI_PROVIDER_NAME]: info.provider,
      [genai.ATTR_GEN_AI_SYSTEM]: info.provider,
      [genai.ATTR_GEN_AI_REQUEST_MODEL]: info.model,
      [genai.ATTR_GEN_AI_REQUEST_MAX_TOKENS]: info.maxTokens,
      [genai.ATTR_GEN_AI_REQUEST_TEMPERATURE]: info.temperature,
      'baton.routing.reason': info.routingReason,
      ...serverAttributes(info.serverUrl),
    });
    return this.inSpan(`${info.operation} ${info.model}`, { kind: SpanKind.CLIENT, attributes }, fn, {
      onValue: (span, value) => {
        if (!result) return;
        const usage = result(value);
        span.setAttributes(defined({
          [genai.ATTR_GEN_AI_RESPONSE_MODEL]: usage.responseModel,
          [genai.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: usage.inputTokens,
          [genai.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: usage.outputTokens,
          [genai.ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: usage.finishReasons,
          'baton.cost_usd': usage.costUsd,
        }));
      },
    });
  }

  toolCall<T>(info: ToolCallInfo, fn: () => Promise<T>, result?: (value: T) => ToolCallResult): Promise<T> {
    const attributes = defined({
      [genai.ATTR_GEN_AI_OPERATION_NAME]: genai.GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
      [genai.ATTR_GEN_AI_TOOL_NAME]: info.name,
      [genai.ATTR_GEN_AI_TOOL_CALL_ID]: info.callId,
      [genai.ATTR_GEN_AI_TOOL_TYPE]: info.type ?? 'function',
      'baton.tool.side_effect': info.sideEffect,
    });
    return this.inSpan(`execute_tool ${info.name}`, { kind: SpanKind.INTERNAL, attributes }, fn, {
      onValue: (span, value) => {
        if (!result) return;
        const outcome = result(value);
        span.setAttribute('baton.tool.replayed', outcome.replayed ?? false);
        if (outcome.error !== undefined) {
          span.setAttribute(ATTR_ERROR_TYPE, outcome.error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error });
        }
      },
    });
  }

  guard(event: GuardEvent): void {
    try {
      // A Date, not a number: OpenTelemetry reads a number below the process's start time as a performance.now()
      // offset, and a guard event replayed from an earlier process is older than that.
      const at = new Date(Number.isFinite(event.at) ? event.at : Date.now());
      const scores = event.detections.map((detection) => detection.score);
      const attributes = defined({
        'baton.guard.surface': event.surface,
        'baton.guard.action': event.action,
        'baton.guard.source': event.source,
        'baton.guard.detectors': unique(event.detections.map((detection) => detection.detector)),
        'baton.guard.rules': unique(event.detections.map((detection) => detection.rule)),
        'baton.guard.score': scores.length > 0 ? Math.max(...scores) : undefined,
      });
      const span = this.tracer.startSpan(`guard ${event.surface}`, { kind: SpanKind.INTERNAL, startTime: at, attributes }, this.contexts.active());
      span.end(at);
    } catch {
      // Telemetry never fails a run.
    }
  }

  shutdown(): Promise<void> {
    this.closing ??= this.close().catch(() => undefined);
    return this.closing;
  }

  private async close(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), SHUTDOWN_BUDGET_MS);
      timer.unref();
    });
    const flushed = this.provider.shutdown().then(
      () => 'flushed' as const,
      (error: unknown) => {
        this.reportOnce(`could not export spans (${describeError(error)})`);
        return 'flushed' as const;
      },
    );
    const outcome = await Promise.race([flushed, budget]);
    clearTimeout(timer);
    if (outcome === 'late') this.reportOnce(`the collector did not take the last spans within ${SHUTDOWN_BUDGET_MS / 1000} s`);
    this.contexts.disable();
  }

  /**
   * Runs `fn` as the active span's child and ends the span when `fn` settles. `fn`'s value or error passes through
   * unchanged; the hooks that read the value are guarded, so a faulty one loses an attribute, never the run.
   */
  private async inSpan<T>(
    name: string,
    options: SpanOptions,
    fn: () => Promise<T>,
    hooks: { onValue?: (span: Span, value: T) => void; onError?: (span: Span) => void } = {},
  ): Promise<T> {
    let span: Span;
    try {
      span = this.tracer.startSpan(name, options, this.contexts.active());
    } catch {
      return fn();
    }
    let value: T;
    try {
      value = await this.contexts.with(trace.setSpan(this.contexts.active(), span), fn);
    } catch (error) {
      settle(span, () => {
        recordFailure(span, error);
        hooks.onError?.(span);
      });
      throw error;
    }
    settle(span, () => hooks.onValue?.(span, value));
    return value;
  }
}

/** Runs `record` and ends the span whatever happens. */
function settle(span: Span, record: () => void): void {
  try {
    record();
  } catch {
    // A faulty attribute mapper loses its attributes, not the span or the run.
  } finally {
    span.end();
  }
}

function recordFailure(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setAttribute(ATTR_ERROR_TYPE, errorType(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/** error.type: the error's `code` (Baton's errors carry one), else its class name. */
function errorType(error: unknown): string {
  if (typeof error !== 'object' || error === null) return ERROR_TYPE_VALUE_OTHER;
  const code = (error as { code?: unknown }).code;
  if ((typeof code === 'string' && code !== '') || typeof code === 'number') return String(code);
  if (error instanceof Error) return error.constructor.name || error.name;
  return ERROR_TYPE_VALUE_OTHER;
}

/** server.address and server.port from an endpoint URL; never its path, query or credentials. */
function serverAttributes(serverUrl: string | undefined): Record<string, AttributeValue | undefined> {
  if (!serverUrl || !URL.canParse(serverUrl)) return {};
  const url = new URL(serverUrl);
  const defaultPort = url.protocol === 'https:' ? 443 : url.protocol === 'http:' ? 80 : undefined;
  return {
    [ATTR_SERVER_ADDRESS]: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    [ATTR_SERVER_PORT]: url.port ? Number(url.port) : defaultPort,
  };
}

/** Passes spans to the OTLP exporter and reports failures, which the SDK itself only tells a diag logger. */
function reportingExporter(exporter: SpanExporter, onFailure: (error: unknown) => void): SpanExporter {
  return {
    export(spans, done) {
      try {
        exporter.export(spans, (result) => {
          if (result.code !== EXPORT_SUCCESS) onFailure(result.error);
          done(result);
        });
      } catch (error) {
        onFailure(error);
        done({ code: EXPORT_FAILED, error: error instanceof Error ? error : new Error(String(error)) });
      }
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}

function defined(attributes: Record<string, AttributeValue | undefined>): Attributes {
  return Object.fromEntries(Object.entries(attributes).filter(([, value]) => value !== undefined));
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return error === undefined ? 'unknown error' : String(error);
}
