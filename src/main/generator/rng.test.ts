import { describe, expect, it } from 'vitest'
import { createRng, deriveSeed } from './rng'

describe('createRng', () => {
  it('repeats the same sequence for the same seed and differs for another', () => {
    const draw = (seed: number): number[] => Array.from({ length: 20 }, createRng(seed).next)
    expect(draw(7)).toEqual(draw(7))
    expect(draw(7)).not.toEqual(draw(8))
  })

  it('keeps int() inside its inclusive bounds and reaches both ends', () => {
    const rng = createRng(1)
    const seen = new Set<number>()
    for (let i = 0; i < 5000; i++) {
      const value = rng.int(3, 7)
      expect(Number.isInteger(value) && value >= 3 && value <= 7).toBe(true)
      seen.add(value)
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7])
  })

  it('follows weights roughly', () => {
    const rng = createRng(2)
    let heavy = 0
    for (let i = 0; i < 10_000; i++)
      if (
        rng.weighted([
          ['heavy', 3],
          ['light', 1],
        ]) === 'heavy'
      )
        heavy++
    expect(heavy / 10_000).toBeGreaterThan(0.72)
    expect(heavy / 10_000).toBeLessThan(0.78)
  })
})

describe('deriveSeed', () => {
  it('gives distinct seeds for neighbouring indexes', () => {
    const seeds = new Set(Array.from({ length: 10_000 }, (_, index) => deriveSeed(42, index)))
    expect(seeds.size).toBe(10_000)
  })
})
