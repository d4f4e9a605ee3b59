/** An error whose message a person can act on; anything else is a bug and is reported as one. */
export class UserFacingError extends Error {
  override name = 'UserFacingError'
}

/** The message of any thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/**
 * A message without the values it quotes from a file (DuckDB's `got VARCHAR: "…"`, `string '…'`,
 * `value nan to`), so an error never shows a file's contents; the `keep` strings (its path) stay.
 */
export function withoutQuotedValues(message: string, keep: readonly string[] = []): string {
  const kept = new Map<string, string>()
  let text = message
  for (const [index, value] of [...keep]
    .filter((value) => value.length > 0)
    .sort((a, b) => b.length - a.length)
    .entries()) {
    const marker = `\u0000${index}\u0000`
    kept.set(marker, value)
    text = text.split(value).join(marker)
  }
  // A quoted span that is exactly a kept string (the file's path) stays; any other quoted span is a value.
  // NUL delimits the markers above: it never occurs in a message, so it cannot be confused with text.
  // eslint-disable-next-line no-control-regex
  const hide = (quote: string) => (span: string) => (/^.\u0000\d+\u0000.$/.test(span) ? span : `${quote}…${quote}`)
  text = text
    .replace(/"(?:[^"\\]|\\.)*"?/g, hide('"'))
    .replace(/(?<![\p{L}\p{N}])'(?:[^'\\\n]|\\.)*'/gu, hide("'"))
    .replace(/\b(value|string) (?!to\b|["']…["'] )\S+ to /gi, '$1 … to ')
  for (const [marker, value] of kept) text = text.split(marker).join(value)
  return text
}
