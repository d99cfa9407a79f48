import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelAuthError, ModelHttpError, ModelOutputError, ModelUnreachableError } from '../../src/errors.js';
import { OpenAIEmbedder, type EmbeddingFetch } from '../../src/knowledge/openai-embedder.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.js';

const running: FakeOpenAI[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((fake) => fake.close()));
});

/** A fetch that answers from a list of canned responses and records request bodies. */
function scriptedFetch(responses: Array<() => Response>): { fetch: EmbeddingFetch; bodies: Array<Record<string, unknown>> } {
  const bodies: Array<Record<string, unknown>> = [];
  return {
    bodies,
    fetch: async (_input, init) => {
      bodies.push(JSON.parse(init.body) as Record<string, unknown>);
      const next = responses.shift();
      if (!next) throw new Error('no more scripted responses');
      return next();
    },
  };
}

const vectorsFor = (count: number, dimensions = 3): Response =>
  Response.json({ data: Array.from({ length: count }, (_value, index) => ({ index, embedding: Array.from({ length: dimensions }, () => index + 1) })) });

describe('OpenAIEmbedder', () => {
  it('embeds in batches against an OpenAI-compatible server, with the key and float encoding', async () => {
    const fake = await startFakeOpenAI({ requireApiKey: 'sk-test' });
    running.push(fake);
    const embedder = new OpenAIEmbedder({ baseUrl: fake.url, model: 'embed-small', dimensions: 32, apiKey: 'sk-test', batchSize: 2 });
    const vectors = await embedder.embed(['one', 'two', 'three']);
    expect(vectors).toHaveLength(3);
    expect(vectors[0]).toHaveLength(32);
    const embeddingRequests = fake.requests.filter((request) => request.path === '/v1/embeddings');
    expect(embeddingRequests.map((request) => (request.body as { input: string[] }).input)).toEqual([['one', 'two'], ['three']]);
    expect(embeddingRequests[0]?.body).toMatchObject({ model: 'embed-small', encoding_format: 'float' });
    expect(embedder.id).toBe('openai:embed-small:32');
  });

  it('throws ModelAuthError naming the endpoint on 401', async () => {
    const fake = await startFakeOpenAI({ requireApiKey: 'sk-right' });
    running.push(fake);
    const embedder = new OpenAIEmbedder({ baseUrl: fake.url, model: 'm', dimensions: 32, apiKey: 'sk-wrong', maxRetries: 3 });
    const error = await embedder.embed(['x']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelAuthError);
    expect((error as Error).message).toContain(`${fake.url}/embeddings`);
    expect(fake.requests.filter((request) => request.path === '/v1/embeddings')).toHaveLength(1);
  });

  it('throws ModelUnreachableError naming the endpoint when the connection is refused', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const embedder = new OpenAIEmbedder({ baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm', dimensions: 3, maxRetries: 1, sleep: async () => undefined });
    const error = await embedder.embed(['x']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelUnreachableError);
    expect((error as Error).message).toContain(`http://127.0.0.1:${port}/v1/embeddings`);
    expect((error as Error).message).toContain('ECONNREFUSED');
  });

  it('retries 429 and 5xx with backoff, honouring Retry-After', async () => {
    const waits: number[] = [];
    const { fetch, bodies } = scriptedFetch([
      () => new Response('slow down', { status: 429, headers: { 'retry-after': '2' } }),
      () => new Response('oops', { status: 503 }),
      () => vectorsFor(2),
    ]);
    const embedder = new OpenAIEmbedder({ baseUrl: 'http://embed.test/v1', model: 'm', dimensions: 3, fetch, sleep: async (milliseconds) => void waits.push(milliseconds) });
    const vectors = await embedder.embed(['a', 'b']);
    expect(vectors).toHaveLength(2);
    expect(bodies).toHaveLength(3);
    expect(waits).toEqual([2000, 1000]);
  });

  it('gives up after maxRetries and does not retry client errors', async () => {
    const failing = scriptedFetch([() => new Response('', { status: 500 }), () => new Response('', { status: 500 })]);
    const embedder = new OpenAIEmbedder({ baseUrl: 'http://embed.test/v1', model: 'm', dimensions: 3, fetch: failing.fetch, maxRetries: 1, sleep: async () => undefined });
    await expect(embedder.embed(['a'])).rejects.toBeInstanceOf(ModelHttpError);
    expect(failing.bodies).toHaveLength(2);
    const bad = scriptedFetch([() => new Response('bad input', { status: 400 })]);
    const strict = new OpenAIEmbedder({ baseUrl: 'http://embed.test/v1', model: 'm', dimensions: 3, fetch: bad.fetch, sleep: async () => undefined });
    await expect(strict.embed(['a'])).rejects.toThrow(/HTTP 400: bad input/);
    expect(bad.bodies).toHaveLength(1);
  });

  it('orders vectors by index, normalises them and checks their size', async () => {
    const shuffled = scriptedFetch([
      () => Response.json({ data: [{ index: 1, embedding: [0, 2, 0] }, { index: 0, embedding: [3, 0, 0] }] }),
    ]);
    const embedder = new OpenAIEmbedder({ baseUrl: 'http://embed.test/v1', model: 'm', dimensions: 3, fetch: shuffled.fetch, sendDimensions: true });
    const [first, second] = await embedder.embed(['a', 'b']);
    expect(Array.from(first ?? [])).toEqual([1, 0, 0]);
    expect(Array.from(second ?? [])).toEqual([0, 1, 0]);
    expect(shuffled.bodies[0]).toMatchObject({ dimensions: 3 });
    const wrongSize = scriptedFetch([() => vectorsFor(1, 5)]);
    const sized = new OpenAIEmbedder({ baseUrl: 'http://embed.test/v1', model: 'm', dimensions: 3, fetch: wrongSize.fetch });
    await expect(sized.embed(['a'])).rejects.toThrow(ModelOutputError);
    const wrongCount = scriptedFetch([() => vectorsFor(1)]);
    const counted = new OpenAIEmbedder({ baseUrl: 'http://embed.test/v1', model: 'm', dimensions: 3, fetch: wrongCount.fetch });
    await expect(counted.embed(['a', 'b'])).rejects.toThrow(/1 vectors for 2 texts/);
  });
});
