import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConnectorFile } from '../../../src/connectors/load.js';
import { createTeamsConnector } from '../../../src/connectors/teams.js';
import { createSlackConnector } from '../../../src/connectors/slack.js';
import type { SecretReader } from '../../../src/connectors/types.js';

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

/** A webhook that applies (records) every post, then answers slowly the first time (past the connector's timeout). */
async function slowWebhook(mode: 'slow' | '500'): Promise<{ url: string; delivered: string[] }> {
  const delivered: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      delivered.push(body);
      if (delivered.length === 1) {
        if (mode === '500') { res.writeHead(500); res.end('oops'); }
        else setTimeout(() => { res.writeHead(202); res.end(); }, 1500);
        return;
      }
      res.writeHead(mode === '500' ? 200 : 202, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/workflows/abc?sig=SIGsecret123456789`, delivered };
}

function load(name: string, yaml: string, url: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'review-chat-'));
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  const secrets: SecretReader = { names: () => ['HOOK_URL'], reveal: () => url };
  return { loaded: loadConnectorFile(file, secrets), deps: { secrets, redact: (t: string) => t.replaceAll(url, '[R]'), baseDir: dir, sleep: async () => {} } };
}

describe('chat connectors (no idempotency key) must not send a side effect twice', () => {
  it('teams: a post whose answer timed out is not posted again', async () => {
    const hook = await slowWebhook('slow');
    const { loaded, deps } = load('alerts', `name: alerts\nkind: teams\nwebhook: { secret: HOOK_URL }\ntimeoutMs: 300\noperations:\n  escalate:\n    card: "{ 'body': [{ 'type': 'TextBlock', 'text': text }] }"\n`, hook.url);
    const [op] = await createTeamsConnector(loaded, deps).operations();
    await op!.execute(await op!.prepare({ text: 'refund order 42' }), {}).catch(() => undefined);
    expect(hook.delivered).toHaveLength(1);
  });

  it('slack webhook: a post answered 500 (maybe applied) is not posted again', async () => {
    const hook = await slowWebhook('500');
    const { loaded, deps } = load('notify', `name: notify\nkind: slack\nwebhook: { secret: HOOK_URL }\ntimeoutMs: 300\noperations:\n  post:\n    text: "text"\n`, hook.url);
    const [op] = await createSlackConnector(loaded, deps).operations();
    await op!.execute(await op!.prepare({ text: 'refund order 42' }), {}).catch(() => undefined);
    expect(hook.delivered).toHaveLength(1);
  });
});
