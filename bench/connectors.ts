/**
 * `npm run bench -- connectors`: what a mapped HTTP operation adds to a call, beside a bare `fetch` of the same
 * endpoint in the same run. Baton's path is the whole of it: input validation (ajv), the JSONata request and response
 * mappings, the retry layer, and for the side effect the idempotency key and the two ledger writes (intent, outcome)
 * in the SQLite run store. Calls alternate between the two paths so drift in the machine hits both alike.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadProject } from '../src/config/load.js';
import { CallCounter, invokeOperation, type CallSite } from '../src/connectors/invoke.js';
import { openRuntime } from '../src/runtime/open.js';
import { submitRun } from '../src/runtime/run.js';

const ITERATIONS = 2000;
const WARMUP = 200;

export interface LatencyFigures {
  medianMs: number;
  p99Ms: number;
}

export interface ConnectorsBenchReport {
  iterations: number;
  read: { bare: LatencyFigures; baton: LatencyFigures };
  write: { bare: LatencyFigures; baton: LatencyFigures };
}

function figures(samples: number[]): LatencyFigures {
  const sorted = [...samples].sort((left, right) => left - right);
  const at = (quantile: number): number => sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))]!;
  return { medianMs: at(0.5), p99Ms: at(0.99) };
}

async function startEndpoint(): Promise<{ url: string; close: () => Promise<void> }> {
  let tickets = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      response.setHeader('content-type', 'application/json');
      if (request.method === 'POST') {
        tickets += 1;
        response.statusCode = 201;
        response.end(JSON.stringify({ id: `T-${tickets}`, status: 'open', customerId: 'c-1001' }));
      } else {
        response.end(JSON.stringify({ id: 'c-1001', name: 'Ada Lovelace', email: 'ada@example.com', orders: [{ id: 'o-1', total: 129.9 }, { id: 'o-2', total: 31.5 }] }));
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const CONNECTOR = (url: string): string => `name: crm
kind: http
baseUrl: ${url}
operations:
  customer:
    path: /customers/{id}
    input: { type: object, properties: { id: { type: string } }, required: [id] }
    response: "{ 'id': id, 'name': name, 'orders': orders.id }"
  open_ticket:
    method: POST
    path: /tickets
    approval: never
    input: { type: object, properties: { customerId: { type: string }, summary: { type: string } }, required: [customerId, summary] }
    request:
      body: "{ 'customerId': customerId, 'summary': summary }"
    response: "{ 'ticket': id, 'status': status }"
`;

export async function runConnectorsBench(): Promise<ConnectorsBenchReport> {
  const endpoint = await startEndpoint();
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'baton-bench-connectors-'));
  mkdirSync(path.join(cwd, 'connectors'));
  writeFileSync(path.join(cwd, 'connectors', 'crm.yaml'), CONNECTOR(endpoint.url));
  const runtime = await openRuntime(loadProject({ cwd, env: {} }), { env: {}, checkpoints: false });
  try {
    const run = await submitRun(runtime, { goal: 'connectors benchmark' });
    const owner = 'bench:connectors';
    await runtime.store.acquire(run.id, { owner, expiresAt: Date.now() + 3_600_000 });
    const read = await runtime.connectors.operation('crm.customer');
    const write = await runtime.connectors.operation('crm.open_ticket');
    const counter = new CallCounter();
    let turn = 0;
    const site = (): CallSite => ({ runId: run.id, owner, turn: `bench/${(turn += 1)}`, store: runtime.store, untrusted: () => false, ask: () => ({ decision: 'approve', by: 'bench', decidedAt: new Date().toISOString() }), clock: () => new Date() });

    const bareRead = async (): Promise<void> => {
      const response = await fetch(`${endpoint.url}/customers/c-1001`);
      await response.json();
    };
    const bareWrite = async (): Promise<void> => {
      const response = await fetch(`${endpoint.url}/tickets`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': `k-${turn}` }, body: JSON.stringify({ customerId: 'c-1001', summary: 'broken lid' }) });
      await response.json();
    };
    const batonRead = async (): Promise<void> => void (await invokeOperation(read, { id: 'c-1001' }, site(), counter));
    const batonWrite = async (): Promise<void> => void (await invokeOperation(write, { customerId: 'c-1001', summary: 'broken lid' }, site(), counter));

    const measure = async (bare: () => Promise<void>, baton: () => Promise<void>): Promise<{ bare: LatencyFigures; baton: LatencyFigures }> => {
      for (let index = 0; index < WARMUP; index += 1) {
        await bare();
        await baton();
      }
      const bareSamples: number[] = [];
      const batonSamples: number[] = [];
      for (let index = 0; index < ITERATIONS; index += 1) {
        let started = performance.now();
        await bare();
        bareSamples.push(performance.now() - started);
        started = performance.now();
        await baton();
        batonSamples.push(performance.now() - started);
      }
      return { bare: figures(bareSamples), baton: figures(batonSamples) };
    };
    return { iterations: ITERATIONS, read: await measure(bareRead, batonRead), write: await measure(bareWrite, batonWrite) };
  } finally {
    await runtime.close();
    await endpoint.close();
    rmSync(cwd, { recursive: true, force: true });
  }
}

export function formatConnectorsReport(report: ConnectorsBenchReport): string {
  const ms = (value: number): string => `${value.toFixed(3)} ms`;
  const row = (name: string, pair: { bare: LatencyFigures; baton: LatencyFigures }): string =>
    `  ${name.padEnd(44)} bare fetch ${ms(pair.bare.medianMs)} (p99 ${ms(pair.bare.p99Ms)})  Baton ${ms(pair.baton.medianMs)} (p99 ${ms(pair.baton.p99Ms)})  added ${ms(pair.baton.medianMs - pair.bare.medianMs)} median`;
  return [
    `Connectors: a mapped HTTP operation beside a bare fetch of the same loopback endpoint (${report.iterations} calls each, alternating)`,
    row('read (GET, schema + JSONata mappings)', report.read),
    row('side effect (POST, + key + 2 ledger writes)', report.write),
    '  target: <= 1 ms added per call (median)',
  ].join('\n');
}
