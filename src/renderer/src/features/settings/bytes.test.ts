import { describe, expect, it } from 'vitest'
import { BYTE_UNITS, MAX_BYTES_BILLED, MIN_BYTES_BILLED, formatBytes, parseBytes, splitBytes } from './bytes'

const { MB, GB, TB } = BYTE_UNITS

describe('splitBytes', () => {
  it('picks the largest unit that shows the amount exactly', () => {
    expect(splitBytes(GB)).toEqual({ amount: 1, unit: 'GB' })
    expect(splitBytes(50 * GB)).toEqual({ amount: 50, unit: 'GB' })
    expect(splitBytes(1.5 * GB)).toEqual({ amount: 1.5, unit: 'GB' })
    expect(splitBytes(10 * MB)).toEqual({ amount: 10, unit: 'MB' })
    expect(splitBytes(2 * TB)).toEqual({ amount: 2, unit: 'TB' })
    expect(splitBytes(1000 * MB)).toEqual({ amount: 1000, unit: 'MB' })
  })

  it('round-trips through parseBytes', () => {
    for (const bytes of [MIN_BYTES_BILLED, GB, 1.5 * GB, 50 * GB, 3 * TB, MAX_BYTES_BILLED]) {
      const { amount, unit } = splitBytes(bytes)
      expect(parseBytes(String(amount), unit)).toEqual({ ok: true, value: bytes })
    }
  })
})

describe('formatBytes', () => {
  it('uses the largest unit the value reaches', () => {
    expect(formatBytes(GB)).toBe('1 GB')
    expect(formatBytes(10 * MB)).toBe('10 MB')
    expect(formatBytes(1.25 * TB)).toBe('1.25 TB')
    expect(formatBytes(1500 * GB)).toBe('1.46 TB')
  })
})

describe('parseBytes', () => {
  it('converts an amount in a unit to whole bytes', () => {
    expect(parseBytes(' 2.5 ', 'GB')).toEqual({ ok: true, value: 2.5 * GB })
    expect(parseBytes('1,024', 'MB')).toEqual({ ok: true, value: GB })
  })

  it('refuses text that is no amount, and limits outside what the main process accepts', () => {
    for (const text of ['', 'abc', '-1', '1e3', '1.2.3']) expect(parseBytes(text, 'GB').ok, text).toBe(false)
    const tooSmall = parseBytes('9', 'MB')
    expect(tooSmall.ok).toBe(false)
    if (!tooSmall.ok) expect(tooSmall.error).toContain('10 MB')
    expect(parseBytes('101', 'TB').ok).toBe(false)
    expect(parseBytes('100', 'TB').ok).toBe(true)
  })
})
