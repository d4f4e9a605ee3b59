import { describe, expect, it } from 'vitest'
import { formatCents, parseCents, sumAmounts } from './money'

describe('money', () => {
  it('round-trips amounts through cents', () => {
    for (const text of ['0.00', '0.05', '12.30', '-7.01', '13687.00', '90071992547409.93']) {
      expect(formatCents(parseCents(text))).toBe(text)
    }
  })

  it('pads one decimal and whole numbers', () => {
    expect(formatCents(parseCents('12.3'))).toBe('12.30')
    expect(formatCents(parseCents('12'))).toBe('12.00')
  })

  it('sums exactly where floating point would drift', () => {
    const amounts = Array.from({ length: 10 }, () => '0.10')
    expect(amounts.map(Number).reduce((a, b) => a + b, 0)).not.toBe(1)
    expect(sumAmounts(amounts)).toBe('1.00')
  })

  it('refuses amounts with fractions of a cent', () => {
    expect(() => parseCents('1.005')).toThrow(/cents/)
    expect(() => parseCents('abc')).toThrow()
  })
})
