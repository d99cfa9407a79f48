/**
 * A tiny OTLP/HTTP trace receiver on 127.0.0.1 for tests: it records every POST to /v1/traces. JSON bodies are
 * parsed (through a schema of the OTLP/JSON subset the exporter writes) and flattened into one record per span;
 * protobuf bodies are kept as bytes (protobuf strings are raw UTF-8, so span names can be found in them).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';

/** One OTLP attribute value: string, bool, int (a number, or a string when it does not fit), double, array. */
interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values?: OtlpAnyValue[] };
}
const OtlpAnyValue: z.ZodType<OtlpAnyValue> = z.object({
  stringValue: z.string().optional(),
  boolValue: z.boolean().optional(),
  intValue: z.union([z.number(), z.string()]).optional(),
  doubleValue: z.number().optional(),
  get arrayValue() {
    return z.object({ values: z.array(OtlpAnyValue).optional() }).optional();
  },
});
const OtlpKeyValues = z.array(z.object({ key: z.string(), value: OtlpAnyValue })).optional();
const OtlpSpan = z.object({
  name: z.string(),
  kind: z.number().optional(),
  traceId: z.string(),
  spanId: z.string(),
  parentSpanId: z.string().optional(),
  attributes: OtlpKeyValues,
  status: z.object({ code: z.number().optional(), message: z.string().optional() }).optional(),
  events: z.array(z.object({ name: z.string(), attributes: OtlpKeyValues })).optional(),
});
/** ExportTraceServiceRequest in OTLP/JSON. */
const OtlpTraceRequest = z.object({
  resourceSpans: z.array(
    z.object({
      resource: z.object({ attributes: OtlpKeyValues }).optional(),
      scopeSpans: z.array(z.object({ spans: z.array(OtlpSpan).optional() })).optional(),
    }),
  ),
});

/** A span as the tests read it. `kind` is OTLP's number (1 internal, 3 client); `status.code` 2 is ERROR. */
export interface FlatSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  /** Absent on a root span. */
  parentSpanId?: string;
  attributes: Record<string, unknown>;
  /** The resource's attributes (service.name, service.version, ...). */
  resource: Record<string, unknown>;
  status: { code: number; message?: string };
  events: { name: string; attributes: Record<string, unknown> }[];
}

export interface ReceivedRequest {
  contentType: string;
  body: Buffer;
  headers: http.IncomingHttpHeaders;
}

export interface OtlpReceiver {
  /** The base URL, for OTEL_EXPORTER_OTLP_ENDPOINT (the exporter appends /v1/traces). */
  url: string;
  spans(): FlatSpan[];
  requests(): ReceivedRequest[];
  /** Resolves once at least `count` spans arrived; rejects after `timeoutMs`, saying how many did. */
  waitForSpans(count: number, timeoutMs: number): Promise<FlatSpan[]>;
  close(): Promise<void>;
}

function plainValue(value: OtlpAnyValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(plainValue);
  return undefined;
}

function plainAttributes(attributes: z.infer<typeof OtlpKeyValues>): Record<string, unknown> {
  return Object.fromEntries((attributes ?? []).map(({ key, value }) => [key, plainValue(value)]));
}

function flatten(request: z.infer<typeof OtlpTraceRequest>): FlatSpan[] {
  return request.resourceSpans.flatMap((resourceSpan) => {
    const resource = plainAttributes(resourceSpan.resource?.attributes);
    return (resourceSpan.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => ({
        name: span.name,
        kind: span.kind ?? 0,
        traceId: span.traceId,
        spanId: span.spanId,
        ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
        attributes: plainAttributes(span.attributes),
        resource,
        status: { code: span.status?.code ?? 0, ...(span.status?.message ? { message: span.status.message } : {}) },
        events: (span.events ?? []).map((event) => ({ name: event.name, attributes: plainAttributes(event.attributes) })),
      })),
    );
  });
}

/** The JSON value of `text`, or undefined when it is not JSON (the schema then rejects it). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function readBody(request: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      resolve(request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body);
    });
    request.on('error', reject);
  });
}

/** Starts a receiver on 127.0.0.1 on a free port. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const received: ReceivedRequest[] = [];
  const spans: FlatSpan[] = [];
  const server = http.createServer((request, response) => {
    if (request.method !== 'POST' || request.url !== '/v1/traces') {
      response.writeHead(404).end();
      return;
    }
    readBody(request).then(
      (body) => {
        const contentType = request.headers['content-type'] ?? '';
        received.push({ contentType, body, headers: request.headers });
        if (contentType.startsWith('application/json')) {
          const parsed = OtlpTraceRequest.safeParse(parseJson(body.toString('utf8')));
          if (!parsed.success) {
            response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ message: parsed.error.message }));
            return;
          }
          spans.push(...flatten(parsed.data));
          response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
          return;
        }
        // An empty ExportTraceServiceResponse is zero bytes of protobuf.
        response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      },
      () => response.writeHead(400).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    spans: () => [...spans],
    requests: () => [...received],
    async waitForSpans(count, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (spans.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} spans within ${timeoutMs} ms, received ${spans.length}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return [...spans];
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
