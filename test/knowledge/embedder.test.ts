import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CancelledError } from '../../src/errors.js';
import { LocalHashEmbedder } from '../../src/knowledge/embedder.js';

function cosine(left: Float32Array, right: Float32Array): number {
  let sum = 0;
  for (let index = 0; index < left.length; index += 1) sum += (left[index] ?? 0) * (right[index] ?? 0);
  return sum;
}

describe('LocalHashEmbedder', () => {
  const embedder = new LocalHashEmbedder();

  it('names its settings in its id', () => {
    expect(embedder.id).toBe('local-hash-v1-512');
    expect(embedder.dimensions).toBe(512);
    expect(new LocalHashEmbedder({ dimensions: 256 }).id).toBe('local-hash-v1-256');
    expect(() => new LocalHashEmbedder({ dimensions: 4 })).toThrow(RangeError);
  });

  it('is deterministic and returns unit vectors of the configured size', async () => {
    const [first, second] = await embedder.embed(['The Moon raises tides.', 'The Moon raises tides.']);
    expect(first).toHaveLength(512);
    expect(Array.from(first ?? [])).toEqual(Array.from(second ?? []));
    expect(cosine(first!, first!)).toBeCloseTo(1, 5);
    expect(Array.from(first ?? []).filter((value) => value !== 0).length).toBeGreaterThan(20);
    // Pinned: stored indexes depend on these exact vectors, so a change to the hashing must come with a new id.
    expect(createHash('sha256').update(Buffer.from(first!.buffer)).digest('hex')).toBe('cf8047646888a7d7bca6e24f752c659d83caf93207316504f046a0ae77d61d57');
  });

  it('places related texts closer than unrelated ones, including inflections', async () => {
    const [query, related, inflected, unrelated] = await embedder.embed([
      'gravitational pull of the moon causes tides',
      'The tides are caused by the Moon and its gravitational pull.',
      'tidal gravitation',
      'Compost kitchen scraps and coffee grounds in the garden.',
    ]);
    expect(cosine(query!, related!)).toBeGreaterThan(0.4);
    expect(cosine(query!, related!)).toBeGreaterThan(cosine(query!, unrelated!) + 0.3);
    expect(cosine(query!, inflected!)).toBeGreaterThan(cosine(query!, unrelated!));
  });

  it('gives a zero vector for text without words, and stops when cancelled', async () => {
    const [empty] = await embedder.embed(['  ... !!! ']);
    expect(Array.from(empty ?? []).every((value) => value === 0)).toBe(true);
    const controller = new AbortController();
    controller.abort();
    await expect(embedder.embed(['x'], controller.signal)).rejects.toBeInstanceOf(CancelledError);
  });
});
