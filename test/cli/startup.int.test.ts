/**
 * What each command loads. Commands that only read (`--version`, `--help`, `runs`, `show`, `stats`, `kb`) must not
 * load LangGraph, the LangChain model clients, the HTTP server, the vector index, the HTML and PDF parsers or the
 * pretty printer: loading them is what made `baton --version` take over a second. `run --offline` loads the graph,
 * but nothing of the server, the parsers or the OpenAI client it does not call. A project on the default SQLite store
 * never loads the PostgreSQL client, its job queue or its checkpointer (they are imported only for `store.kind: postgres`). Checked by recording the modules the
 * real executable resolves, not by timing, so the test does not depend on the machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCliCopy, packagesOf, runRecorded, type BuiltCli } from '../support/built-cli.js';

/** Packages only a run, the server, ingestion or a tool call needs. */
const HEAVY = ['@langchain/core', '@langchain/langgraph', '@langchain/langgraph-checkpoint', '@langchain/langgraph-checkpoint-sqlite', '@langchain/openai', '@langchain/community', 'openai', 'langsmith', 'fastify', 'hnswlib-node', 'cheerio', 'pdf-parse', 'pino-pretty', 'pg', 'graphile-worker', '@langchain/langgraph-checkpoint-postgres'];

let cli: BuiltCli;
let cwd: string;
let runId: string;

beforeAll(() => {
  cli = buildCliCopy();
  cwd = mkdtempSync(path.join(os.tmpdir(), 'baton-startup-'));
  const run = runRecorded(cli, ['run', '--offline', '--json', 'What is Baton?'], cwd);
  expect(run.stderr).toBe('');
  runId = (JSON.parse(run.stdout) as { runId: string }).runId;
}, 120_000);

afterAll(() => {
  cli?.remove();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe('what each command loads', () => {
  const readOnly: Array<[string, () => string[]]> = [
    ['--version', () => ['--version']],
    ['--help', () => ['--help']],
    ['runs', () => ['runs']],
    ['show <id>', () => ['show', runId]],
    ['stats', () => ['stats']],
    ['kb', () => ['kb']],
    ['pending', () => ['pending']],
  ];

  it.each(readOnly)('%s loads none of LangGraph, LangChain, fastify, hnswlib, cheerio, pdf-parse, pino-pretty, the PostgreSQL client', (_name, argv) => {
    const result = runRecorded(cli, argv(), cwd);
    expect(result.status, result.stderr).toBe(0);
    expect(result.modules.length).toBeGreaterThan(0);
    const loaded = packagesOf(result.modules);
    expect(loaded.filter((name) => HEAVY.includes(name))).toEqual([]);
  });

  it('--version loads only the packages every command needs: commander, zod, yaml and the SQLite driver', () => {
    const result = runRecorded(cli, ['--version'], cwd);
    expect(result.stdout).toBe('0.1.0\n');
    const light = ['commander', 'zod', 'yaml', 'better-sqlite3', 'bindings', 'file-uri-to-path'];
    expect(packagesOf(result.modules).filter((name) => !light.includes(name))).toEqual([]);
  });

  it('run --offline loads LangGraph but not the server, the OpenAI client, the parsers, the vector index or the PostgreSQL client', () => {
    const result = runRecorded(cli, ['run', '--offline', '--quiet', 'What is Baton?'], cwd);
    expect(result.status, result.stderr).toBe(0);
    const loaded = packagesOf(result.modules);
    expect(loaded).toContain('@langchain/langgraph');
    expect(loaded.filter((name) => ['fastify', '@langchain/openai', 'openai', 'cheerio', 'pdf-parse', 'hnswlib-node', 'pg', 'graphile-worker', '@langchain/langgraph-checkpoint-postgres'].includes(name))).toEqual([]);
  });
});
