/**
 * `GET /api/audit` keeps only the newest `limit` entries (1000 unless asked). As JSON it says so (`truncated: true`);
 * as JSON lines, the export format, nothing tells the client that older entries were left out: an audit export
 * silently loses them.
 */
import { describe, expect, it } from 'vitest';
import { serversOfThisFile } from '../../server/helpers.js';
import { recordAuditRuns, TIMES } from '../../audit/fixtures.js';

const TOKEN = 'audit-test-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };
const { server } = serversOfThisFile({ execute: false, tokens: [TOKEN] });

describe('GET /api/audit as JSON lines', () => {
  it('tells the client when older entries were left out, as the JSON answer does', async () => {
    const { app, runtime } = await server();
    await recordAuditRuns(runtime.store, Date.now() - 4 * TIMES.DAY);
    const json = (await app.inject({ url: '/api/audit?limit=2', headers: auth })).json() as { truncated: boolean };
    expect(json.truncated).toBe(true);
    const lines = await app.inject({ url: '/api/audit?limit=2&format=jsonl', headers: auth });
    expect(lines.statusCode).toBe(200);
    expect(lines.body.trim().split('\n')).toHaveLength(2);
    // Some signal of the truncation: a header (e.g. X-Truncated: true) or a trailing record.
    const signalled = Object.entries(lines.headers).some(([name, value]) => /truncat/i.test(name) && String(value) === 'true') || /truncat/i.test(lines.body.trim().split('\n').at(-1) ?? '');
    expect(signalled).toBe(true);
  });
});
