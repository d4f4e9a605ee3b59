import { describe, expect, it } from 'vitest'
import { createRng, pickSessionSource } from '.'
import { generateSpendRows } from './spend'

describe('sample spend', () => {
  const options = { seed: 4, users: 2_000, days: 10, endDate: '2026-11-10' }

  it('is the same for the same options, every day of the window, on paid campaigns the journeys use', () => {
    const rows = generateSpendRows(options)
    expect(generateSpendRows(options)).toEqual(rows)
    expect(new Set(rows.map((row) => row.date))).toEqual(
      new Set(Array.from({ length: 10 }, (_, day) => `2026-11-${String(day + 1).padStart(2, '0')}`)),
    )
    const rng = createRng(99)
    const used = new Set(
      Array.from({ length: 20_000 }, () => pickSessionSource(rng, false)).map(
        (source) => `${source.source}/${source.medium}/${source.campaign}`,
      ),
    )
    for (const row of rows) expect(used).toContain(`${row.source}/${row.medium}/${row.campaign}`)
    expect(rows.every((row) => row.costCents > 0 && Number.isInteger(row.costCents))).toBe(true)
    expect(rows.some((row) => row.medium === 'organic' || row.medium === 'email' || row.medium === 'affiliate')).toBe(false)
  })
})
