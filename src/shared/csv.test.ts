import { describe, expect, it } from 'vitest'
import { csvCell, toCsv } from './csv'
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

  it.each(CSV_FORMULA_ATTACKS.map((attack) => [JSON.stringify(attack), attack]))('defuses %s: it reads back as text behind an apostrophe', (_name, attack) => {
    const [[cell]] = parseCsv(`${csvCell(attack)}\r\n`) as [[string]]
    expect(cell).toBe(`'${attack}`)
  })

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
