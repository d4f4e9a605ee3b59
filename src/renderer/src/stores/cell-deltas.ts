import { defineStore } from 'pinia'
import { type DeltaCell, cellDeltaText } from '../lib/cell-delta'
import { useDataVersionStore } from './data-version'
import { useFiltersStore } from './filters'

/** How long a changed number stays highlighted with its delta (as the changes strip). */
export const CELL_DELTA_SHOWN_MS = 12_000

/**
 * The same filters on the same warehouse (BigQuery or embedded, real or demo): only then are two
 * values of a cell comparable. The warehouse is the data-version epoch (every switch starts one),
 * not the statuses, which arrive after the first numbers.
 */
export function comparableKey(): string {
  return JSON.stringify([useFiltersStore().dashboardFilters, useDataVersionStore().epoch])
}

interface SeenValue {
  value: DeltaCell['value']
  key: string
  /** The data version under which this value was first shown. */
  version: number
}

/**
 * The previous value of every number on screen that shows its change after new data (the v-delta
 * directive), and the deltas shown now. A cell is highlighted when its value differs from the one
 * shown before for the same filters and warehouse, and the marts were rebuilt in between: other
 * filters, another model or option are another cell, or another key, never a change.
 */
export const useCellDeltasStore = defineStore('cellDeltas', () => {
  const seen = new Map<string, SeenValue>()
  /** Per table (the id without its row and column), the key and data version it was first shown under: a row new since then counts from zero. */
  const scopes = new Map<string, { key: string; version: number }>()
  /** Delta text and until when it shows, per cell id. */
  const shown = new Map<string, { text: string; isUp: boolean; untilMs: number }>()

  /** Notes a cell's value as rendered now; returns the delta to show, if any (new or still showing). */
  function note(cell: DeltaCell, nowMs = Date.now()): { text: string; isUp: boolean; untilMs: number } | undefined {
    const key = comparableKey()
    const version = useDataVersionStore().version
    const scope = scopeOf(cell.id)
    const table = scopes.get(scope)
    if (!table || table.key !== key) scopes.set(scope, { key, version })
    const shownSince = table?.key === key ? table : undefined
    // A row that was not there when its table was last shown (a channel's first conversion) changed from nothing.
    const before = seen.get(cell.id) ?? (shownSince ? { value: zeroLike(cell.value), key, version: shownSince.version } : undefined)
    if (!before || before.key !== key) {
      seen.set(cell.id, { value: cell.value, key, version })
      shown.delete(cell.id)
      return undefined
    }
    if (before.value !== cell.value) {
      seen.set(cell.id, { value: cell.value, key, version })
      const text = before.version !== version ? cellDeltaText(before.value, cell.value, cell.unit) : null
      if (text) shown.set(cell.id, { text, isUp: !text.startsWith('−') && !text.startsWith('-'), untilMs: nowMs + CELL_DELTA_SHOWN_MS })
      else shown.delete(cell.id)
    }
    const current = shown.get(cell.id)
    if (current && current.untilMs <= nowMs) {
      shown.delete(cell.id)
      return undefined
    }
    return current
  }

  return { note }
})

/** A cell id is `<table>:<row>:<column>`; the table is all before the last two parts. */
function scopeOf(id: string): string {
  return id.split(':').slice(0, -2).join(':')
}

function zeroLike(value: DeltaCell['value']): DeltaCell['value'] {
  return typeof value === 'string' ? '0.00' : 0
}
