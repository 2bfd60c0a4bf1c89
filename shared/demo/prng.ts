/**
 * A tiny seeded PRNG for the demo generator. Output must be byte-identical for the same options on
 * every machine, so everything here uses only +, −, ×, ÷ and Math.floor/round/imul on IEEE doubles
 * (no Math.log/exp/cos, whose last bits are engine-defined).
 */

/** FNV-1a over a string, finished with the murmur3 mixer: a well-spread 32-bit stream seed. */
export function streamSeed(seed: number, ...parts: Array<string | number>): number {
  const text = `${seed}|${parts.join('|')}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32: 32-bit state, good enough statistically for synthetic data and very fast. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A stream named by parts, independent of every other stream from the same seed. */
  static of(seed: number, ...parts: Array<string | number>): Rng {
    return new Rng(streamSeed(seed, ...parts));
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Integer uniform in [min, max] inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Roughly normal (Irwin–Hall of 4 uniforms, rescaled): mean 0, standard deviation sd, bounded ±3.46 sd. */
  normal(sd = 1): number {
    const s = this.next() + this.next() + this.next() + this.next();
    return (s - 2) * 1.7320508075688772 * sd;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Index chosen with probability proportional to weights[i]. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i]!;
      if (r < 0) return i;
    }
    return weights.length - 1;
  }

  /** A count of rare events with mean ≈ lambda (binomial with 20 trials; no transcendental functions). */
  events(lambda: number): number {
    const trials = 20;
    const p = Math.min(1, Math.max(0, lambda / trials));
    let n = 0;
    for (let i = 0; i < trials; i++) if (this.next() < p) n++;
    return n;
  }

  /** Fisher–Yates on a copy. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = out[i]!;
      out[i] = out[j]!;
      out[j] = tmp;
    }
    return out;
  }
}
