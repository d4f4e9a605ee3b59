import { defineStore } from 'pinia'
import { type DeltaCell, cellDeltaText } from '../lib/cell-delta'
import { useDataVersionStore } from './data-version'
import { useFiltersStore } from './filters'
import { useStreamStore } from './stream'
import { useWarehouseStore } from './warehouse'

/** How long a changed number stays highlighted with its delta (as the changes strip). */
export const CELL_DELTA_SHOWN_MS = 12_000

/** The same filters on the same warehouse (BigQuery or embedded, real or demo): only then are two values of a cell comparable. */
export function comparableKey(): string {
  const demo = useStreamStore().status?.demo
  return JSON.stringify([useFiltersStore().dashboardFilters, useWarehouseStore().status?.kind ?? null, demo?.isActive === true])
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
  /** Delta text and until when it shows, per cell id. */
  const shown = new Map<string, { text: string; isUp: boolean; untilMs: number }>()

  /** Notes a cell's value as rendered now; returns the delta to show, if any (new or still showing). */
  function note(cell: DeltaCell, nowMs = Date.now()): { text: string; isUp: boolean; untilMs: number } | undefined {
    const key = comparableKey()
    const version = useDataVersionStore().version
    const before = seen.get(cell.id)
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
