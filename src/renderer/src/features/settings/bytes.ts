import type { Result } from '@shared/attribution'

/** Units the bytes-billed fields offer; binary, as BigQuery counts them (1 GB = 1024 MB). */
export const BYTE_UNITS = { MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 } as const
export type ByteUnit = keyof typeof BYTE_UNITS

/** The smallest limit the main process accepts: BigQuery bills at least 10 MB per table read. */
export const MIN_BYTES_BILLED = 10 * BYTE_UNITS.MB
/** The largest limit the main process accepts, to catch a slip of the keyboard. */
export const MAX_BYTES_BILLED = 100 * BYTE_UNITS.TB

/** A byte count as an amount in the largest unit that shows it exactly to two decimals (1536 MB -> 1.5 GB). */
export function splitBytes(bytes: number): { amount: number; unit: ByteUnit } {
  const units = Object.keys(BYTE_UNITS).reverse() as ByteUnit[]
  for (const unit of units) {
    const amount = bytes / BYTE_UNITS[unit]
    if (amount >= 1 && Math.round(amount * 100) / 100 === amount) return { amount, unit }
  }
  return { amount: Math.round((bytes / BYTE_UNITS.MB) * 100) / 100, unit: 'MB' }
}

/** A byte count for people ("1 GB", "1.5 GB", "10 MB"); rounded to two decimals when not exact. */
export function formatBytes(bytes: number): string {
  const units = Object.keys(BYTE_UNITS).reverse() as ByteUnit[]
  const unit = units.find((each) => bytes >= BYTE_UNITS[each]) ?? 'MB'
  const amount = Math.round((bytes / BYTE_UNITS[unit]) * 100) / 100
  return `${amount.toLocaleString('en-US')} ${unit}`
}

/** Bytes of an amount typed in a unit, checked against the bounds the main process enforces. */
export function parseBytes(text: string, unit: ByteUnit): Result<number> {
  const trimmed = text.trim().replace(/,/g, '')
  const amount = /^\d+(?:\.\d+)?$|^\.\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN
  if (!Number.isFinite(amount))
    return { ok: false, error: `"${text.trim().slice(0, 20)}" is not an amount: write a number such as 1 or 2.5.` }
  const bytes = Math.round(amount * BYTE_UNITS[unit])
  if (bytes < MIN_BYTES_BILLED)
    return { ok: false, error: `At least ${formatBytes(MIN_BYTES_BILLED)}, since BigQuery bills that much for every table a query reads.` }
  if (bytes > MAX_BYTES_BILLED) return { ok: false, error: `At most ${formatBytes(MAX_BYTES_BILLED)}.` }
  return { ok: true, value: bytes }
}
