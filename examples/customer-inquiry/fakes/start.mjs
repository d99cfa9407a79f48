/* global process, console */
/* eslint-disable no-console -- this script talks to the person who started it */
/**
 * Starts the customer-inquiry example's stand-in systems: builds data/customers.db, then serves the CRM, the ERP and
 * a Slack/Teams webhook receiver that prints every message it gets, until Ctrl-C.
 *
 *   npm run example:inquiry                 (from the repository's root)
 *   node examples/customer-inquiry/fakes/start.mjs
 *
 * Environment: CRM_PORT (4010), ERP_PORT (4011), WEBHOOK_PORT (4012), FAKES_HOST (127.0.0.1), and the credentials
 * the fakes accept, CRM_TOKEN and ERP_KEY (defaults printed below).
 */
import path from 'node:path';
import { buildCustomerDb, DEFAULT_CRM_TOKEN, DEFAULT_ERP_KEY, EXAMPLE_DIR, startCrm, startErp, startWebhooks } from './systems.mjs';

function port(name, fallback) {
  const given = process.env[name];
  if (given === undefined || given === '') return fallback;
  const value = Number(given);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    console.error(`${name}=${given} is not a port number (0-65535)`);
    process.exit(64);
  }
  return value;
}

const host = process.env.FAKES_HOST || '127.0.0.1';
const ports = { crm: port('CRM_PORT', 4010), erp: port('ERP_PORT', 4011), webhooks: port('WEBHOOK_PORT', 4012) };
const token = process.env.CRM_TOKEN || DEFAULT_CRM_TOKEN;
const key = process.env.ERP_KEY || DEFAULT_ERP_KEY;
const time = () => new Date().toISOString().slice(11, 19);

const database = buildCustomerDb();
const servers = [];
try {
  servers.push(await startCrm({ port: ports.crm, host, token, log: (line) => console.log(`${time()} ${line}`) }));
  servers.push(await startErp({ port: ports.erp, host, key, log: (line) => console.log(`${time()} ${line}`) }));
  servers.push(
    await startWebhooks({
      port: ports.webhooks,
      host,
      log: (message) => {
        console.log(`\n${time()} ── ${message.channel === 'slack' ? 'Slack' : 'Teams'} message received ──────────────────────────`);
        console.log(message.text);
        if (message.channel === 'slack' && Array.isArray(message.blocks)) console.log(`(${message.blocks.length} Block Kit blocks)`);
        console.log('──────────────────────────────────────────────────────────────\n');
      },
    }),
  );
} catch (error) {
  console.error(`cannot start the fakes: ${error instanceof Error ? error.message : String(error)}`);
  console.error('Is another copy running? Stop it, or choose other ports with CRM_PORT, ERP_PORT and WEBHOOK_PORT.');
  await Promise.all(servers.map((server) => server.close()));
  process.exit(1);
}
const [crm, erp, webhooks] = servers;
const relative = path.relative(process.cwd(), EXAMPLE_DIR) || '.';

console.log(`Customer database: ${path.relative(process.cwd(), database)} (3 customers)`);
console.log(`CRM      ${crm.url}   (bearer token ${token})`);
console.log(`ERP      ${erp.url}   (X-API-Key ${key})`);
console.log(`Webhooks ${webhooks.slackUrl} and ${webhooks.teamsUrl} (every message is printed here)`);
if (ports.crm !== 4010 || ports.erp !== 4011) {
  console.log(`\nOther ports than the defaults: change baseUrl in ${relative}/connectors/crm.yaml and erp.yaml to the URLs above.`);
}
console.log(`
In another terminal, store the credentials once (they are sealed in ${relative}/.baton/secrets.json):

  cd ${relative}
  printf %s '${token}' | npx baton secrets set CRM_TOKEN
  printf %s '${key}' | npx baton secrets set ERP_KEY
  printf %s ${webhooks.slackUrl} | npx baton secrets set SLACK_WEBHOOK_URL
  printf %s ${webhooks.teamsUrl} | npx baton secrets set TEAMS_WEBHOOK_URL

then handle the inquiry:

  npx baton run "Handle this customer inquiry" --attach inquiry.eml

Ctrl-C stops the fakes.`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await Promise.all(servers.map((server) => server.close()));
  console.log('\nfakes stopped');
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
