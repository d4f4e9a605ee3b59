/** Money as whole cents in a bigint, so sums of USD amounts are exact. */

/** Parses a decimal string such as "-12.5" or "13687.00" into cents; more than two decimals is an error. */
export function parseCents(text: string): bigint {
  const match = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(text.trim())
  if (!match) throw new Error(`Not an amount in cents: ${JSON.stringify(text)}`)
  const [, sign, whole, fraction = ''] = match
  const cents = BigInt(whole ?? '0') * 100n + BigInt(fraction.padEnd(2, '0'))
  return sign ? -cents : cents
}

/** Formats cents as a decimal string with exactly two decimals ("1234.50"). */
export function formatCents(cents: bigint): string {
  const sign = cents < 0n ? '-' : ''
  const magnitude = cents < 0n ? -cents : cents
  return `${sign}${magnitude / 100n}.${String(magnitude % 100n).padStart(2, '0')}`
}

/** Sums decimal strings exactly. */
export function sumAmounts(amounts: Iterable<string>): string {
  let total = 0n
  for (const amount of amounts) total += parseCents(amount)
  return formatCents(total)
}
