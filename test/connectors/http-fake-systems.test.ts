import { afterEach, describe, expect, it } from 'vitest';
import { crmSeed, erpSeed, startFakeSystem, type FakeSystem, type FakeSystemOptions } from '../support/fake-systems.js';

const systems: FakeSystem[] = [];
afterEach(async () => {
  await Promise.all(systems.splice(0).map((system) => system.close()));
});

async function fake(options: FakeSystemOptions): Promise<FakeSystem> {
  const system = await startFakeSystem(options);
  systems.push(system);
  return system;
}

async function json(response: Response): Promise<unknown> {
  const text = await response.text();
  return text ? (JSON.parse(text) as unknown) : undefined;
}

describe('fake systems (the test double the connector tests rely on)', () => {
  it('serves seeded resources, filters lists by query and caps them with limit', async () => {
    const crm = await fake({ seed: crmSeed() });
    expect(await json(await fetch(`${crm.url}/customers/c-1001`))).toMatchObject({ name: 'Ada Lovelace' });
    expect(await json(await fetch(`${crm.url}/customers/c-1001/orders?status=delivered&limit=1`))).toEqual([expect.objectContaining({ id: 'o-5001' })]);
    expect((await fetch(`${crm.url}/customers?tier=gold&tier=silver`).then(json)) as unknown[]).toHaveLength(2);
    expect((await fetch(`${crm.url}/nothing`)).status).toBe(404);
    const erp = await fake({ seed: erpSeed() });
    expect(await json(await fetch(`${erp.url}/stock/SKU-300`))).toMatchObject({ onHand: 0, warehouse: 'Hamburg' });
    expect(crm.requests[1]).toMatchObject({ path: '/customers/c-1001/orders', query: { status: 'delivered', limit: '1' } });
  });

  it('applies writes, counts effects, and replays a repeated idempotency key without applying it again', async () => {
    const crm = await fake({ seed: crmSeed() });
    const post = (key: string, subject: string) => fetch(`${crm.url}/tickets`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify({ subject }) });
    const first = await post('k-1', 'Late');
    const created = await json(first);
    const again = await post('k-1', 'Late');
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await json(again)).toEqual(created);
    expect((await post('k-1', 'Other')).status).toBe(422);
    expect(crm.effects).toBe(1);
    await fetch(`${crm.url}/customers/c-1002`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tier: 'gold' }) });
    await fetch(`${crm.url}/customers/c-1003`, { method: 'DELETE' });
    expect(crm.data.get('/customers/c-1002')).toMatchObject({ name: 'Grace Hopper', tier: 'gold' });
    expect(crm.data.has('/customers/c-1003')).toBe(false);
    expect(crm.effects).toBe(3);
  });

  it('injects failures with Retry-After before applying anything, and checks credentials', async () => {
    const crm = await fake({ seed: crmSeed(), auth: { type: 'header', header: 'X-API-Key', value: 'k-123456' } });
    crm.failNext(1, { status: 503, retryAfter: 3 });
    const failed = await fetch(`${crm.url}/tickets`, { method: 'POST', headers: { 'x-api-key': 'k-123456', 'content-type': 'application/json' }, body: '{}' });
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('3');
    expect(crm.effects).toBe(0);
    expect((await fetch(`${crm.url}/customers/c-1001`)).status).toBe(401);
    expect((await fetch(`${crm.url}/customers/c-1001`, { headers: { 'x-api-key': 'k-123456' } })).status).toBe(200);
  });

  it('issues expiring OAuth2 tokens', async () => {
    const clock = { now: 0 };
    const crm = await fake({ seed: crmSeed(), auth: { type: 'oauth2', clientId: 'id', clientSecret: 'secret', expiresIn: 10 }, now: () => clock.now });
    const answer = (await json(await fetch(`${crm.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials&client_id=id&client_secret=secret' }))) as { access_token: string; expires_in: number };
    expect(answer.expires_in).toBe(10);
    const get = () => fetch(`${crm.url}/customers/c-1001`, { headers: { authorization: `Bearer ${answer.access_token}` } });
    expect((await get()).status).toBe(200);
    clock.now += 10_000;
    expect((await get()).status).toBe(401);
    expect(crm.tokensIssued).toBe(1);
  });
});
