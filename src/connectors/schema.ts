/**
 * The connector file, `connectors/<name>.yaml`: one system Baton may read from or act on, and its named operations.
 * Five kinds, chosen by `kind`: `http`, `sql`, `slack`, `teams`, `mcp`. Credentials are never written here: a field
 * `secret: NAME` names a value stored with `baton secrets set NAME`, checked when the file loads.
 *
 * Mapping fields hold JSONata expressions (compiled at load); `input` fields hold JSON Schemas (compiled at load).
 */
import { z } from 'zod';

/** A connector, operation or secret name. */
/**
 * A name as the model sees it in `connector__operation`: lower-case letters, digits and single `_` (a `__` inside a
 * name would let two operations share one tool name).
 */
export const NAME_PATTERN = /^[a-z](?:[a-z0-9]|_(?!_))*$/;
export const NAME_RULE = 'a lower-case name of letters, digits and single _ such as "purchase_history"';
const Name = z.string().regex(NAME_PATTERN, NAME_RULE);
/** Operation names are checked by the loader, which can say which key is wrong and what it must look like. */
const OperationName = z.string();
const SecretName = z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'a stored secret name such as CRM_TOKEN (upper case, digits, _)');
/** A JSONata expression (checked when the file loads). */
export const Expression = z.string().min(1, 'an empty expression; expected a JSONata expression such as "{ \'id\': customerId }"');
/** A JSON Schema object (checked when the file loads). */
export const JsonSchema = z.record(z.string(), z.unknown());

export const Approval = z.enum(['always', 'never', 'untrusted']);

/** What every operation declares. */
const OperationBase = {
  description: z.string().max(2000).default(''),
  /** JSON Schema of the input; default: an object with any fields. */
  input: JsonSchema.optional(),
  /** JSONata over the system's response: what the role or the next stage sees. Default: the response as it is. */
  response: Expression.optional(),
  /**
   * Citable records in the (mapped) output: `items` (JSONata, default: the output if it is an array, else the output
   * as one record) and `id` (JSONata over one item). A claim cites one as `connector.operation#<id>`.
   */
  records: z.object({ items: Expression.optional(), id: Expression }).strict().optional(),
  /** Whether the call changes something outside; the default depends on the kind (GET/HEAD and SELECT do not). */
  sideEffect: z.boolean().optional(),
  /** `always`, `never`, or `untrusted` (when the run has read outside content); default: `untrusted` for side effects. */
  approval: Approval.optional(),
};

// --- http --------------------------------------------------------------------------------------------------------
export const HttpAuth = z.discriminatedUnion('type', [
  z.object({ type: z.literal('bearer'), secret: SecretName }).strict(),
  z.object({ type: z.literal('basic'), username: z.string().min(1), secret: SecretName }).strict(),
  /** An API key sent in a header. */
  z.object({ type: z.literal('header'), header: z.string().regex(/^[A-Za-z0-9-]+$/, 'an HTTP header name such as X-API-Key'), secret: SecretName }).strict(),
  /** OAuth2 client credentials: the token is fetched from `tokenUrl`, cached until it expires, and fetched again on 401. */
  z
    .object({
      type: z.literal('oauth2'),
      tokenUrl: z.url({ protocol: /^https?$/ }),
      clientId: z.string().min(1),
      secret: SecretName,
      scope: z.string().optional(),
      audience: z.string().optional(),
    })
    .strict(),
]);
export type HttpAuth = z.infer<typeof HttpAuth>;

export const Retries = z
  .object({
    /** Attempts in all, the first included. */
    attempts: z.number().int().min(1).max(10).default(3),
    baseDelayMs: z.number().int().min(0).max(60_000).default(200),
    maxDelayMs: z.number().int().min(0).max(300_000).default(10_000),
  })
  .strict();
export type Retries = z.infer<typeof Retries>;
const RETRIES_DEFAULT = { attempts: 3, baseDelayMs: 200, maxDelayMs: 10_000 };

export const HttpOperation = z
  .object({
    ...OperationBase,
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
    /** Path under `baseUrl`, with `{name}` placeholders filled (URL-encoded) from the mapped `path` object or the input. */
    path: z.string().regex(/^\//, 'a path starting with "/", such as /customers/{customerId}/orders'),
    /** JSONata over the input, each giving an object (or the body's value). */
    request: z
      .object({
        path: Expression.optional(),
        query: Expression.optional(),
        headers: Expression.optional(),
        body: Expression.optional(),
      })
      .strict()
      .optional(),
    timeoutMs: z.number().int().min(1).max(600_000).optional(),
    retries: Retries.optional(),
    /** Header carrying the idempotency key of side-effect calls; `false` when the system honours none. */
    idempotencyHeader: z.union([z.string().regex(/^[A-Za-z0-9-]+$/), z.literal(false)]).optional(),
  })
  .strict();
export type HttpOperation = z.infer<typeof HttpOperation>;

export const HttpConnectorConfig = z
  .object({
    name: Name,
    kind: z.literal('http'),
    description: z.string().max(2000).default(''),
    baseUrl: z.url({ protocol: /^https?$/ }),
    auth: HttpAuth.optional(),
    /** Headers sent with every call (no credentials here: use `auth`). */
    headers: z.record(z.string(), z.string()).default({}),
    timeoutMs: z.number().int().min(1).max(600_000).default(10_000),
    retries: Retries.default(RETRIES_DEFAULT),
    /** Default idempotency header of side-effect calls. */
    idempotencyHeader: z.union([z.string().regex(/^[A-Za-z0-9-]+$/), z.literal(false)]).default('Idempotency-Key'),
    operations: z.record(OperationName, HttpOperation),
  })
  .strict();
export type HttpConnectorConfig = z.infer<typeof HttpConnectorConfig>;

// --- sql ---------------------------------------------------------------------------------------------------------
export const SqlOperation = z
  .object({
    ...OperationBase,
    /** The query, with named parameters `:name` taken from the mapped `params` (or the input). A model never writes SQL. */
    sql: z.string().min(1),
    /** JSONata over the input giving the parameters object; default: the input itself. */
    params: Expression.optional(),
    /** A query that changes data; refused otherwise (SQLite checks the statement, PostgreSQL runs reads READ ONLY). */
    write: z.boolean().default(false),
  })
  .strict();
export type SqlOperation = z.infer<typeof SqlOperation>;

export const SqlConnectorConfig = z
  .object({
    name: Name,
    kind: z.literal('sql'),
    description: z.string().max(2000).default(''),
    driver: z.enum(['sqlite', 'postgres']),
    /** SQLite: the database file (relative to this file). */
    file: z.string().min(1).optional(),
    /** PostgreSQL: a stored secret holding the connection URL (it carries the password). */
    url: z.object({ secret: SecretName }).strict().optional(),
    timeoutMs: z.number().int().min(1).max(600_000).default(10_000),
    operations: z.record(OperationName, SqlOperation),
  })
  .strict()
  .superRefine((config, context) => {
    if (config.driver === 'sqlite' && !config.file) context.addIssue({ code: 'custom', path: ['file'], message: 'a SQLite connector needs file: <path of the database>' });
    if (config.driver === 'postgres' && !config.url) context.addIssue({ code: 'custom', path: ['url'], message: 'a PostgreSQL connector needs url: { secret: NAME } (the connection URL, stored with `baton secrets set NAME`)' });
  });
export type SqlConnectorConfig = z.infer<typeof SqlConnectorConfig>;

// --- slack -------------------------------------------------------------------------------------------------------
export const SlackOperation = z
  .object({
    ...OperationBase,
    /** Bot token mode: the channel (`#support` or an id). An incoming webhook posts to its own channel. */
    channel: z.string().min(1).optional(),
    /** JSONata over the input giving the message text (also the notification fallback when blocks are given). */
    text: Expression,
    /** JSONata over the input giving Block Kit blocks. */
    blocks: Expression.optional(),
  })
  .strict();
export type SlackOperation = z.infer<typeof SlackOperation>;

export const SlackConnectorConfig = z
  .object({
    name: Name,
    kind: z.literal('slack'),
    description: z.string().max(2000).default(''),
    /** A bot token (`xoxb-...`, stored) for chat.postMessage through @slack/web-api ... */
    token: z.object({ secret: SecretName }).strict().optional(),
    /** ... or an incoming webhook URL (stored: the URL is the credential). */
    webhook: z.object({ secret: SecretName }).strict().optional(),
    /** Slack's API base URL (for Enterprise Grid proxies and tests); default https://slack.com/api/. */
    apiUrl: z.url({ protocol: /^https?$/ }).optional(),
    timeoutMs: z.number().int().min(1).max(600_000).default(10_000),
    retries: Retries.default(RETRIES_DEFAULT),
    operations: z.record(OperationName, SlackOperation),
  })
  .strict()
  .superRefine((config, context) => {
    if (!config.token === !config.webhook) context.addIssue({ code: 'custom', path: ['token'], message: 'a Slack connector needs exactly one of token: { secret: NAME } (a bot token) or webhook: { secret: NAME } (an incoming webhook URL)' });
  });
export type SlackConnectorConfig = z.infer<typeof SlackConnectorConfig>;

// --- teams -------------------------------------------------------------------------------------------------------
export const TeamsOperation = z
  .object({
    ...OperationBase,
    /** JSONata over the input giving the Adaptive Card (its `body`, `actions`...); Baton wraps it in the Workflows message. */
    card: Expression,
  })
  .strict();
export type TeamsOperation = z.infer<typeof TeamsOperation>;

export const TeamsConnectorConfig = z
  .object({
    name: Name,
    kind: z.literal('teams'),
    description: z.string().max(2000).default(''),
    /** The Teams Workflows webhook URL (stored: the URL carries its signature). */
    webhook: z.object({ secret: SecretName }).strict(),
    timeoutMs: z.number().int().min(1).max(600_000).default(10_000),
    retries: Retries.default(RETRIES_DEFAULT),
    operations: z.record(OperationName, TeamsOperation),
  })
  .strict();
export type TeamsConnectorConfig = z.infer<typeof TeamsConnectorConfig>;

// --- mcp ---------------------------------------------------------------------------------------------------------
export const McpTransport = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('stdio'),
      command: z.string().min(1),
      args: z.array(z.string()).default([]),
      /** Environment of the server: plain values, or `{ secret: NAME }`. */
      env: z.record(z.string(), z.union([z.string(), z.object({ secret: SecretName }).strict()])).default({}),
      cwd: z.string().optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('http'),
      url: z.url({ protocol: /^https?$/ }),
      /** Headers: plain values, or `{ secret: NAME }` (a bearer token, an API key). */
      headers: z.record(z.string(), z.union([z.string(), z.object({ secret: SecretName }).strict()])).default({}),
    })
    .strict(),
]);
export type McpTransport = z.infer<typeof McpTransport>;

/** Per-tool overrides of what the server's annotations say. */
export const McpToolOverride = z
  .object({
    sideEffect: z.boolean().optional(),
    approval: Approval.optional(),
    response: Expression.optional(),
    records: OperationBase.records,
  })
  .strict();

export const McpConnectorConfig = z
  .object({
    name: Name,
    kind: z.literal('mcp'),
    description: z.string().max(2000).default(''),
    transport: McpTransport,
    /** The server's tools Baton may call (by the server's names); nothing else is exposed. */
    allow: z.array(z.string().min(1)).min(1, 'list the tools Baton may call, e.g. allow: [search_tickets]'),
    tools: z.record(z.string(), McpToolOverride).default({}),
    timeoutMs: z.number().int().min(1).max(600_000).default(30_000),
  })
  .strict();
export type McpConnectorConfig = z.infer<typeof McpConnectorConfig>;

/** Any connector file: the form is chosen by `kind`, so mistakes are reported against the form meant. */
export const ConnectorConfig = z.discriminatedUnion('kind', [HttpConnectorConfig, SqlConnectorConfig, SlackConnectorConfig, TeamsConnectorConfig, McpConnectorConfig]);
export type ConnectorConfig = z.infer<typeof ConnectorConfig>;

/** Operation fields that hold JSONata, per kind, for the load-time compile (field path below `operations.<name>`). */
export const MAPPING_FIELDS: Record<ConnectorConfig['kind'], string[][]> = {
  http: [['request', 'path'], ['request', 'query'], ['request', 'headers'], ['request', 'body'], ['response'], ['records', 'items'], ['records', 'id']],
  sql: [['params'], ['response'], ['records', 'items'], ['records', 'id']],
  slack: [['text'], ['blocks'], ['response'], ['records', 'items'], ['records', 'id']],
  teams: [['card'], ['response'], ['records', 'items'], ['records', 'id']],
  mcp: [['response'], ['records', 'items'], ['records', 'id']],
};
