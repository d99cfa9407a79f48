/**
 * `baton serve`: the HTTP API and the web dashboard, on Fastify. The server is HTTP and events only: runs are recorded
 * in the run store and executed by a {@link RunDispatcher} (here, unless `execute` is off, and in any `baton worker`
 * on the same store). {@link createServer} builds the app without listening (tests drive it with `inject`);
 * {@link startServer} listens, refuses an exposed bind without API tokens, and stops cleanly on SIGINT/SIGTERM: runs
 * executing here are released as `interrupted` (the next server or worker resumes them), queued ones stay queued.
 */
import { readFileSync } from 'node:fs';
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { PACKAGE_ROOT } from '../config/load.js';
import { silentLogger, type Logger } from '../logging.js';
import { redactDeep } from '../transcript/redact.js';
import { RunDispatcher } from '../runtime/dispatcher.js';
import type { RunDependencies } from '../runtime/run.js';
import type { RunQueue, RunStore } from '../stores/port.js';
import { BatonError, StoreUnavailableError } from '../errors.js';
import { assertSafeBinding, createTokenCheck, resolveApiTokens, type TokenSources } from './auth.js';
import { AllowedMethods } from './allowed-methods.js';
import { ApiError, clientErrorResponse, MAX_PATH_PARAMETER_LENGTH, methodNotAllowed, ServerConfigError, toErrorResponse, type ApiErrorBody } from './errors.js';
import { RunEventHub, type EventStreamSettings } from './events.js';
import { registerJsonBodyParser } from './json-body.js';
import { createHostCheck, invalidHostEntries, refuseRequestHost } from './host-check.js';
import { registerApiRoutes } from './routes.js';
import { CONTENT_SECURITY_POLICY, defaultDashboardDir, loadDashboard, SECURITY_HEADERS } from './static.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8787;
const DEFAULT_BODY_LIMIT = 36 * 2 ** 20;

export interface ServerOptions extends TokenSources {
  /** What runs need (from `openRuntime`). The server never closes it: its owner does, after the server has stopped. */
  runtime: RunDependencies & { queue: RunQueue };
  /** Fastify logs through this logger, with authorization headers redacted. Default: silent. */
  logger?: Logger;
  /** Where the server will listen; checked against the tokens (see `startServer`). */
  host?: string;
  /**
   * Host names (`name` or `name:port`) the server answers to besides loopback ones (localhost, 127.0.0.0/8, [::1]).
   * Without API tokens every other `Host` header is refused with 421, which stops DNS rebinding; with tokens the
   * check applies only when names are listed here.
   */
  allowedHosts?: readonly string[];
  /** Runs this server executes at once (default 4); more wait in the queue. */
  concurrency?: number;
  /**
   * Execute queued runs in this process (default true). Off: the server only accepts, shows and cancels runs, and
   * `baton worker` processes on the same store execute them.
   */
  execute?: boolean;
  /** How often runs whose process died (expired leases) are looked for; default the lease heartbeat. */
  sweepMs?: number;
  /** Runs allowed to wait in the store's queue (default 1000); beyond, `POST /api/runs` answers 503. */
  maxQueued?: number;
  /** Serve the dashboard at `/` (default true), or serve it from this folder. */
  dashboard?: boolean | string;
  /**
   * How long stopping waits for the runs executing here to record themselves as `interrupted` (default 10 s). A run
   * still unwinding after that keeps its lease until it expires; it then reads `interrupted` all the same.
   */
  shutdownGraceMs?: number;
  /** How long `POST /api/runs/:id/cancel` waits for the run to end (default 2 s). */
  cancelWaitMs?: number;
  /** How long `GET /readyz` waits for the run store to answer before reporting it unavailable (default 3 s). */
  readyTimeoutMs?: number;
  /** Runs one `GET /api/stats` reads at most (default 5000). */
  maxStatsRuns?: number;
  events?: Partial<EventStreamSettings>;
  /** Largest request body in bytes (default 36 MiB: a 25 MiB attachment, the CLI's limit, in base64). */
  bodyLimit?: number;
  clock?: () => Date;
}

/** Paths in log records that may hold a credential. */
const REDACT_PATHS = ['req.headers.authorization', 'headers.authorization', '*.headers.authorization', 'authorization', 'token', '*.token', 'apiKey', '*.apiKey'];

function packageVersion(): string {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8'));
    const version = typeof parsed === 'object' && parsed !== null ? (parsed as { version?: unknown }).version : undefined;
    return typeof version === 'string' ? version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/**
 * Builds the app (routes, auth, dashboard) and starts its dispatcher, without listening. Stopping it (`app.close()`)
 * releases the runs executing here.
 */
export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  const tokens = resolveApiTokens(options);
  if (options.host !== undefined) assertSafeBinding(options.host, tokens);
  const badHosts = invalidHostEntries(options.allowedHosts ?? []);
  if (badHosts.length > 0) {
    throw new ServerConfigError(`not a host name: ${badHosts.map((entry) => JSON.stringify(entry)).join(', ')}`, {
      hint: 'allowed hosts are names or addresses with an optional port, e.g. baton.example.com, baton.example.com:8443 or [fd00::1]:8787 (server.allowedHosts, --allowed-host)',
    });
  }
  const hostAllowed = createHostCheck({ tokensRequired: tokens.length > 0, allowedHosts: options.allowedHosts ?? [] });
  const logger = (options.logger ?? silentLogger()).child({ component: 'server' }, { redact: { paths: REDACT_PATHS, censor: '[REDACTED]' } });
  const assets = options.dashboard === false ? new Map() : loadDashboard(typeof options.dashboard === 'string' ? options.dashboard : defaultDashboardDir());

  const redact = (body: ApiErrorBody): ApiErrorBody => redactDeep(body, options.runtime.store.redact);
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    forceCloseConnections: true,
    return503OnClosing: true,
    routerOptions: { maxParamLength: MAX_PATH_PARAMETER_LENGTH },
    // A URL the router cannot decode (`/api/runs/%ff`) or a run id too long: answered before any hook runs, so the
    // headers every response carries are set here too.
    frameworkErrors: (error, _request, frameworkReply) => {
      const { status, body } = toErrorResponse(error);
      const reply = frameworkReply as unknown as FastifyReply;
      void reply.status(status).headers({ ...SECURITY_HEADERS, 'content-security-policy': CONTENT_SECURITY_POLICY, 'cache-control': 'no-store' }).send(redact(body));
    },
    // What Node's parser refuses never becomes a request (an unknown method, a garbled request line, 16 KiB of URL):
    // the answer is written to the socket by hand, in the same error shape.
    clientErrorHandler: (error: Error & { code?: string }, socket: Socket) => {
      if (error.code === 'ECONNRESET' || socket.destroyed) return;
      logger.debug({ code: error.code }, 'refused a request Node could not parse');
      if (socket.writable) socket.write(rawErrorResponse(clientErrorResponse(error, maxHeaderSize)));
      socket.destroy(error);
    },
  });
  const dispatcher = new RunDispatcher({
    runtime: options.runtime,
    logger,
    concurrency: options.concurrency ?? 4,
    execute: options.execute ?? true,
    maxQueued: options.maxQueued ?? 1000,
    ...(options.sweepMs !== undefined ? { sweepMs: options.sweepMs } : {}),
  });
  registerJsonBodyParser(app);
  const allowedMethods = new AllowedMethods();
  app.addHook('onRoute', (route) => allowedMethods.add(route.url, route.method));
  const hub = new RunEventHub(options.runtime.store, dispatcher, { heartbeatMs: 15_000, pollMs: 1000, maxBufferedBytes: 4 * 1024 * 1024, ...options.events }, logger);

  const checkToken = createTokenCheck(tokens);
  // Decided on the route the router matched, never on the raw URL: `/%61pi/runs` reaches the `/api/runs` route too.
  // Only the health check and the dashboard's own files are public; everything else, unknown paths included, is API.
  const publicRoutes = new Set(['/healthz', '/readyz', ...assets.keys()]);
  app.addHook('onRequest', async (request, reply) => {
    reply.headers({ ...SECURITY_HEADERS, 'content-security-policy': CONTENT_SECURITY_POLICY });
    // Before anything else, on every route (dashboard files, event streams, unknown paths): see host-check.ts.
    // Every Host header and an absolute-form target are checked, not only the first Host header Node keeps.
    const refusal = refuseRequestHost({ url: request.raw.url, rawHeaders: request.raw.rawHeaders }, hostAllowed);
    if (refusal) {
      reply.header('cache-control', 'no-store');
      throw new ApiError(refusal.status, 'HOST_NOT_ALLOWED', refusal.message, { hint: refusal.hint });
    }
    const route = request.routeOptions.url;
    const isApi = route === undefined || !publicRoutes.has(route);
    if (isApi) reply.header('cache-control', 'no-store');
    if (isApi && tokens.length > 0 && !checkToken(request.headers.authorization)) {
      reply.header('www-authenticate', 'Bearer realm="baton"');
      throw new ApiError(401, 'UNAUTHORIZED', request.headers.authorization ? 'the bearer token is not valid' : 'this server requires an API token', {
        hint: 'send the header Authorization: Bearer <token>, with a token from BATON_API_TOKENS or the server\'s token file',
      });
    }
  });

  app.setErrorHandler(async (error, request, reply) => {
    const { status, body } = toErrorResponse(error, { contentType: request.headers['content-type'] });
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    // An error may quote what the client sent (a field name, a value, a path): it is redacted like everything served.
    return reply.status(status).send(redact(body));
  });
  app.setNotFoundHandler(async (request, reply) => {
    const urlPath = request.url.split('?')[0] ?? '';
    const allowed = allowedMethods.for(urlPath);
    if (allowed.length > 0) {
      const { status, body } = methodNotAllowed(request.method, urlPath, allowed);
      return reply.status(status).header('allow', allowed.join(', ')).send(redact(body));
    }
    const body: ApiErrorBody = { error: { code: 'NOT_FOUND', message: `no such endpoint: ${request.method} ${urlPath}`, hint: 'the API is described at GET /api/openapi.json' } };
    return reply.status(404).send(redact(body));
  });

  registerApiRoutes(app, {
    store: options.runtime.store,
    dispatcher,
    hub,
    version: packageVersion(),
    cancelWaitMs: options.cancelWaitMs ?? 2000,
    maxStatsRuns: options.maxStatsRuns ?? 5000,
    clock: options.clock ?? (() => new Date()),
    tokensRequired: tokens.length > 0,
  });
  // Liveness and this process's load, without touching the store (load balancers call it often).
  const autoResume = options.runtime.project.config.runs.autoResume;
  app.get('/healthz', async () => {
    const { executing, concurrency, execute } = dispatcher.counts();
    return { ok: true, executing, concurrency, execute, store: options.runtime.store.kind, autoResume, eventStreams: hub.openStreams(), auth: tokens.length > 0 };
  });
  // Readiness: whether the run store answers a cheap read. Public like /healthz (probes carry no token), so the
  // store's own words (its host, port and database) are given only to a caller that could read the API anyway.
  const readyTimeoutMs = options.readyTimeoutMs ?? 3000;
  app.get('/readyz', async (request, reply) => {
    const store = options.runtime.store;
    reply.header('cache-control', 'no-store');
    const problem = await storeProblem(store, readyTimeoutMs);
    if (problem === undefined) return { ready: true, store: store.kind };
    request.log.warn({ err: problem.cause }, 'not ready: the run store cannot be used');
    const detailed = tokens.length === 0 || checkToken(request.headers.authorization);
    const body: ApiErrorBody = {
      error: {
        code: 'STORE_UNAVAILABLE',
        message: detailed ? problem.message : `the run store (${store.kind}) cannot be used; the details are in the server log`,
        hint: detailed && problem.hint ? problem.hint : 'this server takes no work until its store answers again; /healthz says whether the process itself is alive',
      },
    };
    return reply.status(503).send(redact(body));
  });
  for (const [urlPath, asset] of assets) {
    app.get(urlPath, async (_request, reply) => reply.type(asset.contentType).header('cache-control', 'no-cache').send(asset.body));
  }

  // Runs first, so the streams watching them hear that they were released; then the streams. Only then does Fastify
  // destroy the remaining sockets (forceCloseConnections): by that point they carry no run and no stream, and a
  // client's pre-opened keep-alive socket would otherwise hold the process open for seconds.
  app.addHook('preClose', async () => {
    const { released, unfinished } = await dispatcher.shutdown(options.shutdownGraceMs ?? 10_000);
    if (released.length) logger.warn({ released, unfinished }, 'server stopped with runs in flight: released as interrupted, to be resumed by the next server or worker');
    await hub.close();
  });
  // Takes queued runs (and finds interrupted ones) from now on; a store that cannot be read stops the start here.
  try {
    await dispatcher.start();
  } catch (error) {
    await app.close();
    throw error;
  }
  return app;
}

/**
 * Why the store cannot be used now, or undefined when a one-row read answers within `timeoutMs`. Only Baton's own errors
 * lend their words (a StoreUnavailableError never carries the password); anything else is described, not quoted.
 */
async function storeProblem(store: RunStore, timeoutMs: number): Promise<{ message: string; hint?: string; cause: unknown } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const read = store.listRuns({ limit: 1 }).then(() => 'ok' as const);
  // A read still pending when the wait ran out must not turn into an unhandled rejection later.
  read.catch(() => undefined);
  try {
    if ((await Promise.race([read, timedOut])) === 'timeout') {
      return { message: `the run store (${store.kind}) did not answer within ${timeoutMs} ms`, cause: new Error('readiness read timed out') };
    }
    return undefined;
  } catch (error) {
    if (error instanceof StoreUnavailableError) return { message: error.message, ...(error.hint === undefined ? {} : { hint: error.hint }), cause: error };
    const what = error instanceof BatonError ? `${error.code}: ${error.message}` : 'an unexpected error (see the server log)';
    return { message: `the run store (${store.kind}) cannot be read: ${what}`, cause: error };
  } finally {
    clearTimeout(timer);
  }
}

/** An error answer as raw HTTP/1.1, for a socket no Fastify reply exists for; the connection is closed after it. */
function rawErrorResponse({ status, body }: { status: number; body: ApiErrorBody }): string {
  const text = JSON.stringify(body);
  const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), connection: 'close', 'cache-control': 'no-store', ...SECURITY_HEADERS };
  const reason = STATUS_CODES[status] ?? 'Error';
  return `HTTP/1.1 ${status} ${reason}\r\n${Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n${text}`;
}

export interface StartServerOptions extends ServerOptions {
  /** Default 127.0.0.1. Anything but loopback requires API tokens. */
  host?: string;
  /** Default 8787; 0 picks a free port. */
  port?: number;
  /**
   * Registers the handler that stops the server; returns the function that removes it. Default: SIGINT and SIGTERM
   * on the process. Pass `() => () => undefined` to handle signals yourself.
   */
  onShutdownSignal?: (handler: () => void) => () => void;
}

export interface RunningServer {
  app: FastifyInstance;
  /** e.g. `http://127.0.0.1:8787` */
  url: string;
  host: string;
  port: number;
  /** Stops the server (idempotent): releases its runs (recorded `interrupted`), closes streams and the socket. */
  close(): Promise<void>;
  /** Settles once the server has stopped, whoever stopped it. */
  closed: Promise<void>;
}

function processSignals(handler: () => void): () => void {
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/** Builds the app and listens. Throws `ServerConfigError` when the bind is exposed without tokens. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const host = options.host ?? DEFAULT_HOST;
  const app = await createServer({ ...options, host });
  const requestedPort = options.port ?? DEFAULT_PORT;
  try {
    await app.listen({ host, port: requestedPort });
  } catch (error) {
    await app.close();
    const code = (error as { code?: unknown }).code;
    if (code === 'EADDRINUSE') throw new ServerConfigError(`cannot listen on ${host}:${requestedPort}: the port is already in use`, { hint: 'stop the other server or choose another port' });
    if (code === 'EACCES') throw new ServerConfigError(`cannot listen on ${host}:${requestedPort}: permission denied`, { hint: 'ports below 1024 need privileges; choose a port such as 8787' });
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new ServerConfigError(`cannot listen on ${host}: no such address on this machine`, { hint: 'use 127.0.0.1, or an address of one of this machine\'s interfaces' });
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? DEFAULT_PORT);
  const shownHost = host.includes(':') ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  let markClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const close = (): Promise<void> => {
    closing ??= (async () => {
      removeSignalHandler();
      try {
        await app.close();
      } finally {
        markClosed();
      }
    })();
    return closing;
  };
  const removeSignalHandler = (options.onShutdownSignal ?? processSignals)(() => {
    app.log.warn('stopping: releasing runs in flight (they resume at the next start)');
    void close();
  });
  app.log.info({ url: `http://${shownHost}:${port}` }, 'listening');
  return { app, url: `http://${shownHost}:${port}`, host, port, close, closed };
}
