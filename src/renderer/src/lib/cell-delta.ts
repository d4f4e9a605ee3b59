import { parseCents } from '@shared/money'
import { formatUsdCents } from './format'
import { formatDelta } from './credit-changes'

/** A number on screen that may be highlighted with its change: conversions (fractional credit), a count, or a USD amount ("12.50"). */
export interface DeltaCell {
  /** `<table>:<row>:<column>`, unique on screen and stable across reloads; the table part names the view and its options. */
  id: string
  value: number | string | null | undefined
  /** How the change is written; a string value is USD unless said otherwise. */
  unit?: 'conversions' | 'usd' | 'count' | 'percent'
}

/** Changes smaller than this are rounding (fractional models), not news. */
const SMALLEST_CHANGE = 0.005

/** The change between two values of a cell, written as people read it ("+1", "−0.5", "+$45.00"), or null when nothing changed. */
export function cellDeltaText(before: DeltaCell['value'], after: DeltaCell['value'], unit: DeltaCell['unit']): string | null {
  if (before === null || before === undefined || after === null || after === undefined) return null
  if (unit === 'usd' || (unit === undefined && typeof after === 'string')) {
    const cents =
      centsOf(after) !== undefined && centsOf(before) !== undefined ? (centsOf(after) as bigint) - (centsOf(before) as bigint) : undefined
    return cents === undefined || cents === 0n ? null : formatUsdCents(cents, { signed: true })
  }
  const delta = Number(after) - Number(before)
  if (!Number.isFinite(delta) || Math.abs(delta) < SMALLEST_CHANGE) return null
  if (unit === 'percent') return `${delta > 0 ? '+' : '−'}${(Math.abs(delta) * 100).toFixed(1)} pts`
  return formatDelta(delta)
}

function centsOf(value: number | string): bigint | undefined {
  try {
    return typeof value === 'number' ? BigInt(Math.round(value * 100)) : parseCents(value)
  } catch {
    return undefined
  }
}
