/**
 * The `mcp` connector refuses allowed tools whose model-facing name (`connector__tool`) providers would reject: a `.`
 * or another character outside [A-Za-z0-9_-], or more than 64 characters in all. The check runs in `operations()`
 * before anything is started or connected, so these tests need no server.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../src/connectors/errors.js';
import { loadConnectorFile } from '../../src/connectors/load.js';
import { createMcpConnector, toolNameProblem } from '../../src/connectors/mcp/index.js';
import type { SecretReader } from '../../src/connectors/types.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function connector(name: string, allow: string[]) {
  const dir = mkdtempSync(path.join(tmpdir(), 'baton-mcp-names-'));
  dirs.push(dir);
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\nkind: mcp\ntransport:\n  type: http\n  url: http://127.0.0.1:${await closedPort()}/mcp\nallow: [${allow.map((tool) => JSON.stringify(tool)).join(', ')}]\n`);
  const secrets: SecretReader = { names: () => [], reveal: () => '' };
  return createMcpConnector(loadConnectorFile(file, secrets), { secrets, redact: (text) => text, baseDir: dir });
}

async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

describe('mcp tool names a model can be given', () => {
  it('accepts letters, digits, _ and - up to 64 characters with the connector prefix', () => {
    expect(toolNameProblem('tickets', 'search-tickets')).toBeUndefined();
    expect(toolNameProblem('tickets', 'a'.repeat(64 - 'tickets__'.length))).toBeUndefined();
    expect(toolNameProblem('tickets', 'a'.repeat(64 - 'tickets__'.length + 1))).toMatch(/at most 55/);
    expect(toolNameProblem('tickets', 'tickets.lookup')).toMatch(/only letters, digits, _ and -/);
    expect(toolNameProblem('tickets', 'look up')).toMatch(/only letters/);
  });

  it('refuses at operations() an allowed tool holding a "." , naming the tool and the rule', async () => {
    const error = await failure((await connector('tickets', ['lookup_ticket', 'tickets.lookup'])).operations());
    expect(error.code).toBe('CONNECTOR_INVALID');
    expect(error.message).toContain('"tickets.lookup"');
    expect(error.message).toContain('only letters, digits, _ and -');
    expect(error.message).not.toContain('"lookup_ticket"');
  });

  it('refuses at operations() an allowed tool whose connector__tool name passes 64 characters', async () => {
    const long = `get_${'x'.repeat(60)}`;
    const error = await failure((await connector('tickets', [long])).operations());
    expect(error.code).toBe('CONNECTOR_INVALID');
    expect(error.message).toContain(`"${long}"`);
    expect(error.message).toMatch(/at most 64 characters.*at most 55/);
  });

  it('lets names that fit through to the server (here: unreachable, so UNAVAILABLE)', async () => {
    const error = await failure((await connector('tickets', ['search-tickets', 'a'.repeat(55)])).operations());
    expect(error.code).toBe('CONNECTOR_UNAVAILABLE');
  });
});
