import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpConnector } from '../../../src/connectors/http/index.js';
import { CallCounter, invokeOperation, type CallQuestion, type CallSite } from '../../../src/connectors/invoke.js';
import { loadConnectorFile } from '../../../src/connectors/load.js';
import type { SecretReader } from '../../../src/connectors/types.js';
import { createRedactor } from '../../../src/transcript/redact.js';

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

async function server(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ url: string; hits: string[] }> {
  const hits: string[] = [];
  const s = createServer((req, res) => { let b = ''; req.on('data', (c) => (b += c)); req.on('end', () => { hits.push(`${req.method} ${req.url}`); handler(req, res, b); }); });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as { port: number }).port}`, hits };
}

async function connect(name: string, yaml: string, values: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'review-http-'));
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  const secrets: SecretReader = { reveal: (n) => values[n]!, names: () => Object.keys(values) };
  const waits: number[] = [];
  const connector = createHttpConnector(loadConnectorFile(file, secrets), { secrets, redact: createRedactor(Object.values(values)), baseDir: dir, sleep: async (ms) => { waits.push(ms); } });
  const ops = await connector.operations();
  return { op: (n: string) => ops.find((o) => o.name === n)!, waits };
}

const ok = (_q: unknown, res: ServerResponse) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"ssn":"123-45-6789"}'); };

describe('http connector review', () => {
  it('a mapped header value fetch cannot send is refused as input at prepare, not reported as a failed connection that "may have been applied"', async () => {
    const sys = await server(ok);
    const { op } = await connect('crm', `name: crm\nkind: http\nbaseUrl: ${sys.url}\nidempotencyHeader: false\noperations:\n  note:\n    method: POST\n    path: /notes\n    request: { headers: "{ 'X-Customer-Name': name }", body: "{ 'text': text }" }\n`);
    const outcome = await op('note').prepare({ name: 'Zoë €uro', text: 'hi' }).then((call) => op('note').execute(call, {})).then(() => undefined, (e) => e);
    expect(sys.hits).toEqual([]);
    expect(outcome?.code).toBe('CONNECTOR_INPUT_INVALID'); // actual: CONNECTOR_UNAVAILABLE "...the request may have been applied..."
  });

  it('refuses a control character in a mapped header at prepare, and a bad header in a recorded call before sending', async () => {
    const sys = await server(ok);
    const { op } = await connect('crm', `name: crm\nkind: http\nbaseUrl: ${sys.url}\nidempotencyHeader: false\noperations:\n  note:\n    method: POST\n    path: /notes\n    request: { headers: "{ 'X-Customer-Name': name }", body: "{ 'text': text }" }\n`);
    for (const name of ['Ada\u0001', 'Ada\r\nX-Evil: 1', 'Ada\u0000']) {
      const error = await op('note').prepare({ name, text: 'hi' }).then(() => undefined, (e) => e);
      expect(error?.code).toBe('CONNECTOR_INPUT_INVALID');
      expect(error?.message).toContain('"X-Customer-Name"');
    }
    // Latin-1 is what fetch can send: accepted and sent.
    await op('note').execute(await op('note').prepare({ name: 'Zoë', text: 'hi' }), {});
    expect(sys.hits).toHaveLength(1);
    const recorded = await op('note').prepare({ name: 'Ada', text: 'hi' });
    const tampered = { ...recorded, request: { ...recorded.request, headers: { ...(recorded.request['headers'] as object), 'x-customer-name': 'Zoë €uro' } } };
    const outcome = await op('note').execute(tampered, {}).then(() => undefined, (e) => e);
    expect(outcome?.code).toBe('CONNECTOR_INPUT_INVALID');
    expect(sys.hits).toHaveLength(1);
  });

  it('approval: always on a read operation is honoured (it is listed as "always")', async () => {
    const sys = await server(ok);
    const { op } = await connect('hr', `name: hr\nkind: http\nbaseUrl: ${sys.url}\noperations:\n  salary:\n    path: /employees/{id}/salary\n    approval: always\n`);
    const salary = op('salary');
    expect(salary.approval).toBe('always');
    const asked: CallQuestion[] = [];
    const site: CallSite = { runId: 'r', owner: 'o', turn: 't', store: {} as never, untrusted: () => false, clock: () => new Date(), ask: (q) => { asked.push(q); return { decision: 'reject', by: 'ann', note: 'no' } as never; } };
    await invokeOperation(salary, { id: 'e1' }, site, new CallCounter()).catch(() => undefined);
    expect(asked).toHaveLength(1); // actual: 0 questions, and the GET was sent
    expect(sys.hits).toEqual([]);
  });
});

describe('oauth2 access token (derived credential) review', () => {
  it('an API echoing the access token in a 2xx body does not hand it to the role', async () => {
    const TOKEN = 'at9f8e7d6c5b4a3928171615141312111';
    const sys = await server((req, res) => {
      if (req.url === '/token') { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify({ access_token: TOKEN, expires_in: 3600 })); return; }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ user: 'baton', via: (req.headers.authorization as string).slice('Bearer '.length) }));
    });
    const { op } = await connect('crm', `name: crm\nkind: http\nbaseUrl: ${sys.url}\nauth: { type: oauth2, tokenUrl: ${sys.url}/token, clientId: baton, secret: CRM_CLIENT_SECRET }\noperations:\n  whoami:\n    path: /me\n`, { CRM_CLIENT_SECRET: 'client-Secret-0123456789' });
    const result = await op('whoami').execute(await op('whoami').prepare({}), {});
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });

  it('a Basic pair echoed in a 2xx body and header reaches neither the mapping nor the records', async () => {
    const PASSWORD = 'pw-Very-Secret-0123';
    const PAIR = Buffer.from(`baton:${PASSWORD}`).toString('base64');
    const sys = await server((req, res) => {
      const auth = req.headers.authorization as string;
      res.writeHead(200, { 'content-type': 'application/json', 'x-echo': auth });
      res.end(JSON.stringify([{ id: auth.slice('Basic '.length), raw: auth, [PAIR]: 'key' }]));
    });
    const { op } = await connect('crm', `name: crm\nkind: http\nbaseUrl: ${sys.url}\nauth: { type: basic, username: baton, secret: CRM_PASSWORD }\noperations:\n  list:\n    path: /items\n    response: "{ 'items': $, 'echo': $headers.'x-echo' }"\n    records: { items: items, id: id }\n`, { CRM_PASSWORD: PASSWORD });
    const result = await op('list').execute(await op('list').prepare({}), {});
    const shown = JSON.stringify(result);
    expect(shown).not.toContain(PAIR);
    expect(shown).not.toContain(PASSWORD);
    expect(result.records[0]?.id).toBe('[REDACTED:credential]');
    expect(result.output).toMatchObject({ echo: 'Basic [REDACTED:credential]' });
  });
});
