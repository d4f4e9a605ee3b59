import { describe, expect, it } from 'vitest'
import { csvCell, csvContextLines, percentCell, roundedNumber, toCsv } from './csv'
import { CSV_FORMULA_ATTACKS, CSV_PLAIN_NUMBERS, parseCsv } from './testing/csv-attacks'

describe('csvCell', () => {
  it('leaves plain text and numbers alone', () => {
    expect(csvCell('paid_search')).toBe('paid_search')
    expect(csvCell(42)).toBe('42')
    expect(csvCell('1234.50')).toBe('1234.50')
  })

  it('keeps negative amounts as numbers', () => {
    expect(csvCell('-12.50')).toBe('-12.50')
    expect(csvCell(-3)).toBe('-3')
  })

  it('quotes cells with commas, quotes or line breaks, doubling quotes', () => {
    expect(csvCell('google, inc')).toBe('"google, inc"')
    expect(csvCell('say "hi"')).toBe('"say ""hi"""')
    expect(csvCell('two\nlines')).toBe('"two\nlines"')
  })

  it('defuses text a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`)
    expect(csvCell('+cmd')).toBe("'+cmd")
    expect(csvCell('-2+3')).toBe("'-2+3")
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)")
    expect(csvCell('\tx')).toBe("'\tx")
  })

  it.each(CSV_FORMULA_ATTACKS.map((attack) => [JSON.stringify(attack), attack]))(
    'defuses %s: it reads back as text behind an apostrophe',
    (_name, attack) => {
      const [[cell]] = parseCsv(`${csvCell(attack)}\r\n`) as [[string]]
      expect(cell).toBe(`'${attack}`)
    },
  )

  it.each(CSV_PLAIN_NUMBERS)('keeps the number %s a number', (number) => {
    expect(csvCell(number)).toBe(number)
  })

  it('writes empty cells for missing values', () => {
    expect(csvCell(null)).toBe('')
    expect(csvCell(undefined)).toBe('')
    expect(csvCell(Number.NaN)).toBe('')
  })
})

describe('toCsv', () => {
  it('writes a header and one CRLF-terminated line per row', () => {
    const rows = [
      { channel: 'direct', conversions: 3 },
      { channel: '=evil', conversions: 1 },
    ]
    const csv = toCsv(rows, [
      { header: 'channel', value: (row) => row.channel },
      { header: 'conversions', value: (row) => row.conversions },
    ])
    expect(csv).toBe("channel,conversions\r\ndirect,3\r\n'=evil,1\r\n")
  })

  it('writes only the header for no rows', () => {
    expect(toCsv([], [{ header: 'a', value: () => 1 }])).toBe('a\r\n')
  })
})

describe('rounding for spreadsheets and pandas', () => {
  it('writes conversions with at most 6 decimals and no float noise', () => {
    expect(roundedNumber(1 / 3, 6)).toBe('0.333333')
    expect(roundedNumber(0.1 + 0.2, 6)).toBe('0.3')
    expect(roundedNumber(42, 6)).toBe('42')
    expect(roundedNumber(-0.0000001, 6)).toBe('0')
  })

  it('writes money with cents, from numbers and from amounts as text', () => {
    const rows = [{ channel: 'email', conversions: 2 / 3, revenue_usd: '12.5', cost_per_conversion_usd: 18.754999 }]
    const csv = toCsv(rows, [
      { header: 'channel', value: (row) => row.channel },
      { header: 'conversions', value: (row) => row.conversions },
      { header: 'revenue_usd', value: (row) => row.revenue_usd },
      { header: 'cost_per_conversion_usd', value: (row) => row.cost_per_conversion_usd },
    ])
    expect(csv).toBe('channel,conversions,revenue_usd,cost_per_conversion_usd\r\nemail,0.666667,12.50,18.75\r\n')
  })

  it('leaves number-like text in other columns whole (ids, campaign names)', () => {
    expect(toCsv([{ id: '1234567.1609459200' }], [{ header: 'user_pseudo_id', value: (row) => row.id }])).toBe(
      'user_pseudo_id\r\n1234567.1609459200\r\n',
    )
  })

  it("keeps a column's own decimals", () => {
    expect(toCsv([{ x: 1.23456 }], [{ header: 'roas', value: (row) => row.x, decimals: 2 }])).toBe('roas\r\n1.23\r\n')
  })

  it('writes a change ratio as percent with one decimal, empty when unknown', () => {
    expect(percentCell(0.25)).toBe('25.0')
    expect(percentCell(-0.0004)).toBe('0.0')
    expect(percentCell(-1 / 3)).toBe('-33.3')
    expect(percentCell(null)).toBe('')
  })

  it('writes context as # lines, one per entry', () => {
    expect(
      csvContextLines([
        ['model', 'last_click'],
        ['note', 'two\nlines'],
      ]),
    ).toBe('# model: last_click\r\n# note: two lines\r\n')
  })
})
