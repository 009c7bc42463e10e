/**
 * The fuzzer's seeded random source: every mutant is a pure function of (seed, case index),
 * so a case found once can be made again from its two numbers.
 *
 * @module
 */
import { seededRandom } from "../util/random.ts";

/** Integers that break size and index arithmetic: signs, zero, int32/int64/2^53 edges. */
export const INTERESTING_INTS: readonly bigint[] = [
  0n,
  1n,
  -1n,
  -7n,
  2n,
  3n,
  255n,
  256n,
  65535n,
  65536n,
  2n ** 31n - 1n,
  2n ** 31n,
  -(2n ** 31n),
  2n ** 32n,
  2n ** 40n,
  2n ** 53n + 1n,
  2n ** 63n - 1n,
  -(2n ** 63n),
];

/** A deterministic random stream. */
export class Rng {
  readonly #next: () => number;

  /** The stream for `seed`. */
  constructor(seed: number) {
    this.#next = seededRandom(seed);
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.#next();
  }

  /** Uniform integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.#next() * (hi - lo + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.#next() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#next() * items.length)];
  }

  /** One of {@linkcode INTERESTING_INTS}. */
  interesting(): bigint {
    return this.pick(INTERESTING_INTS);
  }
}

/** A per-case seed: the run seed and the case index mixed into one 32-bit number. */
export function caseSeed(runSeed: number, kind: string, index: number): number {
  let h = (runSeed ^ 0x9e3779b9) >>> 0;
  for (const c of `${kind}:${index}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}
