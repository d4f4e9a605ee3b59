import { describe, expect, it } from 'vitest'
import { apportion, CONVERSION_STATE as CONV, type MarkovTransition, NULL_STATE as NULL, solveMarkov, START_STATE as START } from './markov'

/** Deterministic PRNG (mulberry32), so random cases are the same on every run. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = Math.imul(state ^ (state >>> 15), state | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[copy[i], copy[j]] = [copy[j]!, copy[i]!]
  }
  return copy
}

function expectClose(actual: Record<string, number>, expected: Record<string, number>): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort())
  for (const [key, value] of Object.entries(expected)) expect(actual[key]).toBeCloseTo(value, 12)
}

/*
 * Paths C1>C2>conv, C1>null, C2>conv, C1>C3>null (C1 starts three paths, C2 one).
 * P(C1 -> C2) = P(C1 -> null) = P(C1 -> C3) = 1/3; C2 always converts; C3 never does.
 * x(C2) = 1, x(C3) = 0, x(C1) = 1/3 * x(C2) = 1/3.
 * P(conv) = 3/4 * 1/3 + 1/4 * 1 = 1/2.
 * Remove C1: only start -> C2 converts: 1/4, RE = 1 - (1/4)/(1/2) = 1/2.
 * Remove C2: nothing converts: 0, RE = 1.
 * Remove C3: C3 led only to null anyway: 1/2, RE = 0.
 * Shares: 0.5 / 1.5 = 1/3, 1 / 1.5 = 2/3, 0.
 */
const SMALL_CHAIN: MarkovTransition[] = [
  { from: START, to: 'C1', count: 3 },
  { from: START, to: 'C2', count: 1 },
  { from: 'C1', to: 'C2', count: 1 },
  { from: 'C1', to: NULL, count: 1 },
  { from: 'C1', to: 'C3', count: 1 },
  { from: 'C2', to: CONV, count: 2 },
  { from: 'C3', to: NULL, count: 1 },
]

describe('solveMarkov', () => {
  it('solves a small chain worked by hand', () => {
    const solution = solveMarkov(SMALL_CHAIN)
    expect(solution.channels).toEqual(['C1', 'C2', 'C3'])
    expect(solution.conversionProbability).toBeCloseTo(0.5, 12)
    expectClose(solution.removalEffects, { C1: 0.5, C2: 1, C3: 0 })
    expectClose(solution.shares, { C1: 1 / 3, C2: 2 / 3, C3: 0 })
  })

  it('solves a chain with a loop exactly', () => {
    /*
     * start -> A, start -> B (1/2 each); A -> B 2/3, A -> conv 1/3; B -> A 1/4, B -> null 3/4.
     * x(A) = 2/3 x(B) + 1/3 and x(B) = 1/4 x(A), so x(A) = 1/6 x(A) + 1/3: x(A) = 2/5, x(B) = 1/10.
     * P(conv) = 1/2 (2/5 + 1/10) = 1/4.
     * Remove A: nothing reaches conv: 0, RE = 1.
     * Remove B: x(A) = 1/3, P = 1/2 * 1/3 = 1/6, RE = 1 - (1/6)/(1/4) = 1/3.
     * Shares: 1 / (4/3) = 3/4 and (1/3) / (4/3) = 1/4.
     */
    const solution = solveMarkov([
      { from: START, to: 'A', count: 1 },
      { from: START, to: 'B', count: 1 },
      { from: 'A', to: 'B', count: 2 },
      { from: 'A', to: CONV, count: 1 },
      { from: 'B', to: 'A', count: 1 },
      { from: 'B', to: NULL, count: 3 },
    ])
    expect(solution.conversionProbability).toBeCloseTo(0.25, 12)
    expectClose(solution.removalEffects, { A: 1, B: 1 / 3 })
    expectClose(solution.shares, { A: 0.75, B: 0.25 })
  })

  it('gives the same answer with self-loops added', () => {
    const withLoops = [...SMALL_CHAIN, { from: 'C1', to: 'C1', count: 5 }, { from: 'C2', to: 'C2', count: 2 }]
    const solution = solveMarkov(withLoops)
    expect(solution.conversionProbability).toBeCloseTo(0.5, 12)
    expectClose(solution.removalEffects, { C1: 0.5, C2: 1, C3: 0 })
    expectClose(solution.shares, { C1: 1 / 3, C2: 2 / 3, C3: 0 })
  })

  it('does not depend on the order or the splitting of the input rows', () => {
    const expected = solveMarkov(SMALL_CHAIN)
    const random = mulberry32(7)
    const split = [...SMALL_CHAIN.slice(1), { from: START, to: 'C1', count: 1 }, { from: START, to: 'C1', count: 2 }]
    for (let round = 0; round < 20; round++) {
      expect(solveMarkov(shuffled(SMALL_CHAIN, random))).toStrictEqual(expected)
      expect(solveMarkov(shuffled(split, random))).toStrictEqual(expected)
    }
  })

  it('gives zero effects and shares when nothing converts', () => {
    const solution = solveMarkov([
      { from: START, to: 'A', count: 2 },
      { from: 'A', to: 'B', count: 1 },
      { from: 'A', to: NULL, count: 1 },
    ])
    expect(solution.channels).toEqual(['A', 'B'])
    expect(solution.conversionProbability).toBe(0)
    expect(solution.removalEffects).toEqual({ A: 0, B: 0 })
    expect(solution.shares).toEqual({ A: 0, B: 0 })
  })

  it('gives a single channel the whole share', () => {
    // start -> A; A converts 1 time in 3: P = 1/3, and without A nothing converts.
    const solution = solveMarkov([
      { from: START, to: 'A', count: 3 },
      { from: 'A', to: CONV, count: 1 },
      { from: 'A', to: NULL, count: 2 },
    ])
    expect(solution.conversionProbability).toBeCloseTo(1 / 3, 12)
    expect(solution.removalEffects).toEqual({ A: 1 })
    expect(solution.shares).toEqual({ A: 1 })
  })

  it('treats closed loops, dead ends and unreachable channels as never converting', () => {
    /*
     * start -> A, start -> C (1/2 each); A <-> B forever; C -> conv; D -> conv but nothing reaches D;
     * E only loops on itself. P = 1/2 (via C); only C matters. E has no outgoing row besides its loop.
     */
    const solution = solveMarkov([
      { from: START, to: 'A', count: 1 },
      { from: START, to: 'C', count: 1 },
      { from: 'A', to: 'B', count: 4 },
      { from: 'B', to: 'A', count: 4 },
      { from: 'C', to: CONV, count: 1 },
      { from: 'C', to: 'E', count: 0 },
      { from: 'D', to: CONV, count: 9 },
      { from: 'E', to: 'E', count: 1 },
    ])
    expect(solution.channels).toEqual(['A', 'B', 'C', 'D', 'E'])
    expect(solution.conversionProbability).toBeCloseTo(0.5, 12)
    expect(solution.removalEffects).toEqual({ A: 0, B: 0, C: 1, D: 0, E: 0 })
    expect(solution.shares).toEqual({ A: 0, B: 0, C: 1, D: 0, E: 0 })
  })

  it('treats a state without outgoing transitions as going to (null)', () => {
    // B has no row: start -> A -> {conv 1/2, B 1/2}; P = 1/2, and removing B changes nothing.
    const solution = solveMarkov([
      { from: START, to: 'A', count: 2 },
      { from: 'A', to: CONV, count: 1 },
      { from: 'A', to: 'B', count: 1 },
    ])
    expect(solution.conversionProbability).toBeCloseTo(0.5, 12)
    expect(solution.removalEffects).toEqual({ A: 1, B: 0 })
  })

  it('ignores zero counts and refuses negative or non-finite ones', () => {
    expect(solveMarkov([...SMALL_CHAIN, { from: 'C3', to: 'C4', count: 0 }])).toStrictEqual(solveMarkov(SMALL_CHAIN))
    expect(() => solveMarkov([...SMALL_CHAIN, { from: 'C1', to: CONV, count: -1 }])).toThrow(/C1 -> \(conversion\).*not negative/)
    expect(() => solveMarkov([{ from: START, to: 'A', count: Number.NaN }])).toThrow(/finite/)
    expect(() => solveMarkov([{ from: START, to: 'A', count: Number.POSITIVE_INFINITY }])).toThrow(/finite/)
  })

  it('solves an empty chain', () => {
    expect(solveMarkov([])).toStrictEqual({ channels: [], conversionProbability: 0, removalEffects: {}, shares: {} })
  })
})

describe('apportion', () => {
  it('gives the unit left over among equal weights to the first key', () => {
    const equal = [
      { key: 'a', weight: 1 },
      { key: 'b', weight: 1 },
      { key: 'c', weight: 1 },
    ]
    expect([...apportion(1_000_000n, equal, 'fallback')]).toEqual([
      ['a', 333_334n],
      ['b', 333_333n],
      ['c', 333_333n],
    ])
    const thirds = equal.map(({ key }) => ({ key, weight: 1 / 3 }))
    expect([...apportion(1_000_000n, thirds, 'fallback')]).toEqual([
      ['a', 333_334n],
      ['b', 333_333n],
      ['c', 333_333n],
    ])
  })

  it('splits cents exactly when the weights divide them', () => {
    const weights = [
      { key: 'a', weight: 0.4 },
      { key: 'b', weight: 0.4 },
      { key: 'c', weight: 0.2 },
    ]
    expect([...apportion(1000n, weights, 'fallback')]).toEqual([
      ['a', 400n],
      ['b', 400n],
      ['c', 200n],
    ])
    expect([...apportion(-1000n, weights, 'fallback')]).toEqual([
      ['a', -400n],
      ['b', -400n],
      ['c', -200n],
    ])
  })

  it('gives leftovers to the largest remainders, not to the first keys', () => {
    // 10 * (1, 2, 4) / 7 = 1.43, 2.86, 5.71: floors 1, 2, 5 leave 2 units, for b (.86) and c (.71).
    const weights = [
      { key: 'a', weight: 1 },
      { key: 'b', weight: 2 },
      { key: 'c', weight: 4 },
    ]
    expect([...apportion(10n, weights, 'fallback')]).toEqual([
      ['a', 1n],
      ['b', 3n],
      ['c', 6n],
    ])
  })

  it('credits the small chain: 2 conversions of 1,000,000 units by its shares', () => {
    // Shares 1/3 and 2/3 of 2,000,000: 666,666.67 and 1,333,333.33; the left-over unit goes to C1.
    const { channels, shares } = solveMarkov(SMALL_CHAIN)
    const weights = channels.map((key) => ({ key, weight: shares[key] ?? 0 }))
    expect([...apportion(2_000_000n, weights, 'fallback')]).toEqual([
      ['C1', 666_667n],
      ['C2', 1_333_333n],
      ['C3', 0n],
    ])
  })

  it('always sums to the total and stays within one unit of the exact share', () => {
    const random = mulberry32(20_261_127)
    for (let round = 0; round < 200; round++) {
      const keyCount = 1 + Math.floor(random() * 6)
      const weights = Array.from({ length: keyCount }, (_, i) => ({
        key: `k${i}`,
        weight: random() < 0.2 ? 0 : random() * 10 ** Math.floor(random() * 12 - 6),
      }))
      const total = BigInt(Math.floor(random() * 2e9) - 5e8)
      const result = apportion(total, weights, 'fallback')
      expect([...result.values()].reduce((sum, units) => sum + units, 0n)).toBe(total)
      const weightSum = weights.reduce((sum, { weight }) => sum + weight, 0)
      if (weightSum === 0) continue
      for (const { key, weight } of weights) {
        expect(Math.abs(Number(result.get(key)) - (Number(total) * weight) / weightSum)).toBeLessThan(1 + 1e-6)
      }
    }
  })

  it('gives everything to the fallback key when no weight is positive', () => {
    const zeros = [
      { key: 'a', weight: 0 },
      { key: 'b', weight: -1 },
    ]
    expect([...apportion(1234n, zeros, 'Direct')]).toEqual([
      ['a', 0n],
      ['b', 0n],
      ['Direct', 1234n],
    ])
    expect([...apportion(1234n, [], 'Direct')]).toEqual([['Direct', 1234n]])
    expect([...apportion(50n, [{ key: 'a', weight: 0 }], 'a')]).toEqual([['a', 50n]])
  })

  it('refuses non-finite weights', () => {
    expect(() => apportion(10n, [{ key: 'a', weight: Number.NaN }], 'fallback')).toThrow(/"a".*finite/)
  })
})
