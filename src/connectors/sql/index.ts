/**
 * The `sql` connector kind: each operation is one query written in the connector file (a model never writes SQL),
 * with named parameters `:name` bound from the operation's mapped `params` (or its input). Reads cannot change data
 * (SQLite checks the statement and reads through a read-only connection; PostgreSQL runs them READ ONLY); writes must
 * say `write: true`.
 *
 * A write whose SQL references `:idempotency_key` is a keyed upsert (`INSERT ... ON CONFLICT (idempotency_key) DO
 * NOTHING`): the runtime's idempotency key is bound there, so the database itself drops a repeat, and the operation
 * honours the key (a write whose outcome is unknown after a crash is simply sent again).
 */
import { ConnectorError } from '../errors.js';
import type { OperationKit } from '../kit.js';
import type { ConnectorFactory } from '../load.js';
import type { SqlConnectorConfig, SqlOperation } from '../schema.js';
import type { CallResult, Connector, ConnectorDeps, ExecuteOptions, Operation, PreparedCall } from '../types.js';
import type { SqlDriver, SqlStatement } from './driver.js';
import { KEY_PARAM, parseNamedParams, sqlPreview } from './params.js';
import { PostgresDriver } from './postgres.js';
import { SqliteDriver } from './sqlite.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function driverFor(config: SqlConnectorConfig, deps: ConnectorDeps): SqlDriver {
  if (config.driver === 'sqlite') return new SqliteDriver({ file: config.file!, baseDir: deps.baseDir, timeoutMs: config.timeoutMs, redact: deps.redact });
  const secret = config.url!.secret;
  return new PostgresDriver({ connector: config.name, timeoutMs: config.timeoutMs, url: () => deps.secrets.reveal(secret), redact: deps.redact });
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function sqlOperation(config: SqlConnectorConfig, name: string, declared: SqlOperation, kit: OperationKit, driver: SqlDriver): Operation {
  const id = `${config.name}.${name}`;
  const parsed = parseNamedParams(declared.sql);
  const statement: SqlStatement = { id, sql: declared.sql, parsed, write: declared.write };
  const keyed = declared.write && parsed.names.includes(KEY_PARAM);
  const sideEffect = declared.sideEffect ?? declared.write;
  const target = `${driver.label}: ${sqlPreview(declared.sql)}`;

  function invalid(message: string): ConnectorError {
    return new ConnectorError('CONNECTOR_INPUT_INVALID', `${id}: ${message}`, { operation: id });
  }

  async function prepare(input: unknown): Promise<PreparedCall> {
    const checked = kit.validate(input);
    const source = kit.has('params') ? await kit.map('params', checked) : checked;
    if (!isObject(source)) throw invalid(`the params mapping must give an object of parameters, got ${JSON.stringify(source)}`);
    const params: Record<string, unknown> = {};
    const missing: string[] = [];
    for (const param of parsed.names) {
      // The key is the runtime's, bound in execute; it is not part of the request (the key is derived from it).
      if (keyed && param === KEY_PARAM) continue;
      if (Object.hasOwn(source, param)) params[param] = source[param];
      else missing.push(`:${param}`);
    }
    if (missing.length) {
      const from = kit.has('params') ? 'the params mapping' : 'the input';
      throw invalid(`the query needs the parameter${missing.length === 1 ? '' : 's'} ${missing.join(', ')}, which ${from} does not give (it gives: ${Object.keys(source).join(', ') || 'nothing'})`);
    }
    return { operation: id, target, request: { driver: config.driver, sql: declared.sql, params } };
  }

  async function execute(call: PreparedCall, options: ExecuteOptions): Promise<CallResult> {
    options.signal?.throwIfAborted();
    // The statement run is always the declared one; a prepared call of another query (a changed file) is refused.
    if (call.operation !== id || call.request['sql'] !== declared.sql) throw invalid('the prepared call is for another query (the connector file changed since it was prepared); prepare it again');
    const params = isObject(call.request['params']) ? call.request['params'] : {};
    const values: Record<string, unknown> = { ...params };
    if (keyed) {
      const key = options.idempotencyKey ?? params[KEY_PARAM];
      if (typeof key !== 'string' || !key) throw invalid(`the keyed write needs an idempotency key for :${KEY_PARAM}; none was given`);
      values[KEY_PARAM] = key;
    }
    const absent = parsed.names.filter((param) => !Object.hasOwn(values, param));
    if (absent.length) throw invalid(`the prepared call lacks the parameter${absent.length === 1 ? '' : 's'} ${absent.map((param) => `:${param}`).join(', ')}`);

    const outcome = await driver.run(statement, values);
    const raw = declared.write ? outcome.written : outcome.rows;
    const { output, records } = await kit.result(raw, { rowCount: outcome.count, changes: outcome.count });
    const summary = declared.write ? `${plural(outcome.count, 'row')} changed` : `${plural(outcome.count, 'row')}`;
    return { output, records, summary, status: outcome.count };
  }

  return {
    id,
    connector: config.name,
    name,
    description: declared.description,
    inputSchema: kit.inputSchema,
    sideEffect,
    approval: declared.approval ?? (sideEffect ? 'untrusted' : 'never'),
    honoursKey: keyed,
    prepare,
    execute,
  };
}

export const createSqlConnector: ConnectorFactory = (loaded, deps): Connector => {
  const config = loaded.config;
  if (config.kind !== 'sql') throw new Error(`createSqlConnector was given a ${config.kind} connector (${config.name})`);
  const driver = driverFor(config, deps);
  const operations = Object.entries(config.operations).map(([name, declared]) => {
    const kit = loaded.kits.get(name);
    if (!kit) throw new Error(`connector ${config.name} has no kit for operation ${name}`);
    return sqlOperation(config, name, declared, kit, driver);
  });
  return {
    name: config.name,
    kind: 'sql',
    file: loaded.file,
    operations: async () => operations,
    close: () => driver.close(),
  };
};
