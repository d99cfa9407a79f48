import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolFailedError } from '../../src/errors.js';
import { webSearch } from '../../src/net/web-search.js';

let server: http.Server;
let base: string;
const queries: string[] = [];

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    queries.push(url.search);
    const query = url.searchParams.get('q') ?? '';
    if (url.pathname !== '/searx/search') {
      response.writeHead(404).end();
    } else if (query === 'forbidden') {
      response.writeHead(403).end('json disabled');
    } else if (query === 'weird') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ answer: 42 }));
    } else {
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          query,
          results: [
            { title: ' Moon ', url: 'https://en.example.org/Moon', content: 'The Moon is   Earth’s satellite.', engine: 'x' },
            { title: 'dup', url: 'https://en.example.org/Moon', content: 'again' },
            { title: 'bad', url: 'javascript:alert(1)', content: 'no' },
            { url: 'https://example.net/tides' },
          ],
        }),
      );
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/searx`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('webSearch', () => {
  it('queries the JSON API and returns validated, de-duplicated results', async () => {
    const results = await webSearch('tidal locking & moon', { baseUrl: base });
    expect(queries.at(-1)).toBe('?q=tidal+locking+%26+moon&format=json');
    expect(results).toEqual([
      { title: 'Moon', url: 'https://en.example.org/Moon', snippet: 'The Moon is Earth’s satellite.' },
      { title: 'https://example.net/tides', url: 'https://example.net/tides', snippet: '' },
    ]);
    expect(await webSearch('moon', { baseUrl: `${base}/`, limit: 1 })).toHaveLength(1);
  });

  it('names the provider on HTTP errors, bad shapes and unreachable servers', async () => {
    await expect(webSearch('forbidden', { baseUrl: base })).rejects.toThrow(/searx\/search answered HTTP 403/);
    await expect(webSearch('weird', { baseUrl: base })).rejects.toThrow(ToolFailedError);
    const refused = webSearch('x', { baseUrl: 'http://127.0.0.1:9', fetch: async () => Promise.reject(new TypeError('fetch failed')) });
    await expect(refused).rejects.toThrow(/127\.0\.0\.1:9\/search could not be reached/);
  });
});
