/**
 * Every answer the server gives is in its error shape `{ error: { code, message } }`, including the ones produced
 * before a route runs: URLs the router cannot decode, ids over the parameter limit, requests Node's HTTP parser
 * refuses (sent over a real socket, since `inject` never parses raw HTTP), and a wrong method on a real path (405).
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/app.js';
import { AllowedMethods } from '../../src/server/allowed-methods.js';
import { makeRuntime, type TestRuntime } from './helpers.js';

let test: TestRuntime;
let server: RunningServer;
beforeAll(async () => {
  test = await makeRuntime();
  server = await startServer({ runtime: test.runtime, env: {}, port: 0, onShutdownSignal: () => () => undefined });
});
afterAll(async () => {
  await server.close();
  await test.cleanup();
});

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: { error: { code: string; message: string; hint?: string } };
}

/** Sends bytes as they are, reads until the server closes (or a full response arrived), and parses the answer. */
function raw(request: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, server.host);
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', ...rest] = received.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      try {
        resolve({ status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(rest.join('\r\n\r\n')) as RawAnswer['body'] });
      } catch (error) {
        reject(new Error(`not a JSON answer: ${JSON.stringify(received)} (${String(error)})`));
      }
    });
    socket.write(request, 'latin1');
    // Closing our side after the request lets keep-alive answers end too.
    socket.end();
  });
}

function expectErrorShape(answer: RawAnswer, status: number, code: string): void {
  expect(answer.status).toBe(status);
  expect(Object.keys(answer.body)).toEqual(['error']);
  expect(answer.body.error.code).toBe(code);
  expect(typeof answer.body.error.message).toBe('string');
  expect(answer.headers['content-type']).toMatch(/^application\/json/);
  expect(answer.headers['x-content-type-options']).toBe('nosniff');
}

describe('errors before a route runs', () => {
  it('answers a URL path with a bad percent-escape in the error shape, not FST_ERR_BAD_URL', async () => {
    for (const path of ['/api/runs/%ff', '/api/runs/%', '/api/runs/%zz/cancel']) {
      const answer = await raw(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
      expectErrorShape(answer, 400, 'USAGE');
      expect(answer.body.error.message, path).toMatch(/the URL path is not valid/);
      expect(JSON.stringify(answer.body)).not.toMatch(/FST_ERR/);
    }
  });

  it('answers an id over the parameter limit in the error shape, and accepts one at the limit', async () => {
    const long = await server.app.inject({ url: `/api/runs/${'a'.repeat(201)}` });
    expect(long.statusCode).toBe(400);
    expect(long.json()).toEqual({ error: { code: 'USAGE', message: 'a segment of the URL path is longer than 200 characters; run ids are at most 200' } });
    expect(long.headers['cache-control']).toBe('no-store');
    const atLimit = await server.app.inject({ url: `/api/runs/${'a'.repeat(200)}` });
    expect(atLimit.statusCode).toBe(404);
    expect((atLimit.json() as RawAnswer['body']).error.code).toBe('RUN_NOT_FOUND');
  });

  it('answers an unknown method (501) and a garbled request line (400) in the error shape', async () => {
    const unknown = await raw('FOO /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expectErrorShape(unknown, 501, 'NOT_IMPLEMENTED');
    expect(unknown.body.error.message).toMatch(/the request method is not one HTTP defines/);
    for (const garbled of ['GET /api/runs HTTP/9.9\r\n\r\n', 'GET\r\n\r\n', 'hello there\r\n\r\n', 'GET /api runs HTTP/1.1\r\nHost: x\r\n\r\n', 'GET /api/runs HTTP/1.1\r\nBad Header: 1\r\n\r\n']) {
      const answer = await raw(garbled);
      expect(answer.status, JSON.stringify(garbled)).toBeGreaterThanOrEqual(400);
      expect(answer.body.error.code, JSON.stringify(garbled)).toMatch(/^(USAGE|METHOD_NOT_ALLOWED|NOT_IMPLEMENTED)$/);
      expect(answer.body.error.message, JSON.stringify(garbled)).not.toBe('Client Error');
    }
    const version = await raw('GET /api/runs HTTP/9.9\r\n\r\n');
    expectErrorShape(version, 400, 'USAGE');
    expect(version.body.error.message).toMatch(/^the request is not valid HTTP\/1\.1: /);
  });

  it('answers thousands of query parameters (headers over the limit) with 431 in the error shape', async () => {
    const query = Array.from({ length: 3000 }, (_, index) => `p${index}=1`).join('&');
    const answer = await raw(`GET /api/runs?${query} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    expectErrorShape(answer, 431, 'HEADERS_TOO_LARGE');
    expect(answer.body.error.message).toMatch(/the request line and headers are over \d+ bytes/);
  });
});

describe('a wrong method on a real path', () => {
  it('answers 405 with an Allow header listing the methods the path accepts', async () => {
    const cases: Array<[string, string, string]> = [
      ['GET', '/api/runs/x/cancel', 'POST'],
      ['DELETE', '/api/runs', 'GET, HEAD, POST'],
      ['PUT', '/api/runs/abc', 'GET, HEAD'],
      ['POST', '/healthz', 'GET, HEAD'],
      ['DELETE', '/%61pi/runs', 'GET, HEAD, POST'],
    ];
    for (const [method, url, allow] of cases) {
      const response = await server.app.inject({ method: method as 'GET', url });
      expect(response.statusCode, `${method} ${url}`).toBe(405);
      expect(response.headers['allow'], `${method} ${url}`).toBe(allow);
      const error = (response.json() as RawAnswer['body']).error;
      expect(error.code).toBe('METHOD_NOT_ALLOWED');
      expect(error.message).toBe(`${method} is not accepted on ${url}; it accepts ${allow}`);
    }
  });

  it('still answers 404 for a path no route has', async () => {
    const response = await server.app.inject({ method: 'DELETE', url: '/api/nothing' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['allow']).toBeUndefined();
    expect((response.json() as RawAnswer['body']).error.message).toBe('no such endpoint: DELETE /api/nothing');
  });

  it('matches paths like the router: parameters take one non-empty segment, escapes are decoded', () => {
    const table = new AllowedMethods();
    table.add('/api/runs/:id/cancel', 'POST');
    table.add('/api/runs/:id', ['GET', 'HEAD']);
    expect(table.for('/api/runs/x/cancel')).toEqual(['POST']);
    expect(table.for('/api/runs/%78')).toEqual(['GET', 'HEAD']);
    expect(table.for('/api/runs//cancel')).toEqual([]);
    expect(table.for('/api/runs/%ff')).toEqual([]);
    expect(table.for('/api/runs/x/y/cancel')).toEqual([]);
  });
});
