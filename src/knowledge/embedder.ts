/**
 * Text embeddings for the knowledge base. {@link Embedder} is the seam; {@link LocalHashEmbedder} is the offline
 * default, which needs no model weights: it hashes words, word pairs and character n-grams into a fixed-size vector.
 * It captures lexical and sub-word overlap (spelling variants, inflections, shared phrases), not meaning, and is
 * deterministic, so an index built with it can be rebuilt bit for bit.
 */
import { abortErrorOf } from '../abort.js';
import { CancelledError } from '../errors.js';

/** Turns texts into vectors. One embedder id always means the same vectors for the same text. */
export interface Embedder {
  /** Identifies the model and its settings; recorded in the index so a different model is never mixed in. */
  readonly id: string;
  readonly dimensions: number;
  /** One vector per text, in order. */
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
}

/** Throws when the signal has fired: its typed reason (the run's deadline), else a {@link CancelledError}. */
export function throwIfCancelled(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw abortErrorOf(signal, () => new CancelledError(`${what} was cancelled`));
}

const stopWords = new Set(
  (
    'a about above after again all also am an and any are as at be because been before being below between both but by ' +
    'can could did do does doing down during each few for from further had has have having he her here hers him his how i ' +
    'if in into is it its itself just me more most my no nor not now of off on once only or other our ours out over own ' +
    'same she should so some such than that the their theirs them then there these they this those through to too under ' +
    'until up very was we were what when where which while who whom why will with would you your yours'
  ).split(' '),
);

// Distinct seeds keep a word, a word pair and an n-gram with the same letters from landing on the same bucket.
const unigramSeed = 0x9e3779b1;
const bigramSeed = 0x85ebca6b;
const trigramSeed = 0xc2b2ae35;
const fourgramSeed = 0x27d4eb2f;

function fnv(codes: ArrayLike<number>, start: number, end: number, seed: number): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let index = start; index < end; index += 1) {
    hash ^= codes[index] ?? 0;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A final avalanche so bucket and sign come from well-mixed bits. */
function finalise(value: number): number {
  let hash = value >>> 0;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/**
 * A fixed prior standing in for inverse document frequency, since there are no corpus statistics to compute a real
 * one from: stop words count little, numbers half, and longer words more (word length tracks rarity in natural text).
 */
function wordWeight(word: string): number {
  if (stopWords.has(word)) return 0.15;
  if (/^\p{N}+$/u.test(word)) return 0.5;
  return Math.min(1.6, Math.log2(1 + word.length) / 2.3);
}

/** Options of {@link LocalHashEmbedder}. */
export interface LocalHashEmbedderOptions {
  /** Vector size. Default 512. */
  dimensions?: number;
}

/** The offline default embedder: feature hashing of words, word pairs and character 3- and 4-grams. */
export class LocalHashEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;

  constructor(options: LocalHashEmbedderOptions = {}) {
    this.dimensions = options.dimensions ?? 512;
    if (!Number.isInteger(this.dimensions) || this.dimensions < 16) throw new RangeError('LocalHashEmbedder needs at least 16 dimensions');
    this.id = `local-hash-v1-${this.dimensions}`;
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    throwIfCancelled(signal, 'embedding');
    return texts.map((text) => this.embedOne(text));
  }

  /** Embeds one text synchronously; the vector has unit length (or is all zeros for text without words). */
  embedOne(text: string): Float32Array {
    const counts = new Map<number, number>();
    const weights = new Map<number, number>();
    const add = (hash: number, weight: number): void => {
      counts.set(hash, (counts.get(hash) ?? 0) + 1);
      if (!weights.has(hash)) weights.set(hash, weight);
    };
    const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
    let previous: { hash: number; weight: number; stop: boolean } | undefined;
    const codes: number[] = [];
    for (const word of words) {
      const weight = wordWeight(word);
      const stop = stopWords.has(word);
      codes.length = 0;
      codes.push(0x5e); // '^' marks the word start for n-grams
      for (let index = 0; index < word.length; index += 1) codes.push(word.charCodeAt(index));
      codes.push(0x24); // '$' marks the end
      const hash = fnv(codes, 1, codes.length - 1, unigramSeed);
      add(hash, weight);
      if (previous && !(previous.stop && stop)) add(Math.imul(previous.hash ^ bigramSeed, 31) ^ hash, 0.6 * Math.max(previous.weight, weight));
      previous = { hash, weight, stop };
      if (stop || word.length < 3) continue;
      // Spread a word's n-gram mass evenly, so long words do not outweigh their own unigram.
      const grams = codes.length - 2 + (codes.length - 3);
      const gramWeight = (0.5 * weight) / Math.sqrt(grams);
      for (let index = 0; index + 3 <= codes.length; index += 1) add(fnv(codes, index, index + 3, trigramSeed), gramWeight);
      for (let index = 0; index + 4 <= codes.length; index += 1) add(fnv(codes, index, index + 4, fourgramSeed), gramWeight);
    }
    const vector = new Float32Array(this.dimensions);
    for (const [hash, count] of counts) {
      const mixed = finalise(hash);
      const bucket = mixed % this.dimensions;
      const sign = mixed & 0x80000000 ? -1 : 1;
      vector[bucket] = (vector[bucket] ?? 0) + sign * (weights.get(hash) ?? 0) * (1 + Math.log(count));
    }
    return normalise(vector);
  }
}

/** Scales a vector to unit length in place; an all-zero vector stays zero. */
export function normalise(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const value of vector) sum += value * value;
  if (sum === 0) return vector;
  const scale = 1 / Math.sqrt(sum);
  for (let index = 0; index < vector.length; index += 1) vector[index] = (vector[index] ?? 0) * scale;
  return vector;
}
