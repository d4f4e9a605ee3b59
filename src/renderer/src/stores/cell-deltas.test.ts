import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { cellDeltaText } from '../lib/cell-delta'
import { CELL_DELTA_SHOWN_MS, useCellDeltasStore } from './cell-deltas'
import { useDataVersionStore } from './data-version'
import { useFiltersStore } from './filters'

beforeEach(() => setActivePinia(createPinia()))

/** A rebuild of the marts, as the main process pushes it. */
function rebuild(): void {
  useDataVersionStore().noteMartsChanged()
}

describe('cellDeltaText', () => {
  it('writes conversions, money and shares as people read them, and nothing for no change', () => {
    expect(cellDeltaText(219, 220, 'conversions')).toBe('+1')
    expect(cellDeltaText(3, 2.5, 'conversions')).toBe('−0.5')
    expect(cellDeltaText(2, 2.001, 'conversions')).toBe(null)
    expect(cellDeltaText('13562.00', '13610.00', undefined)).toBe('+$48.00')
    expect(cellDeltaText('10.00', '9.99', 'usd')).toBe('-$0.01')
    expect(cellDeltaText('10.00', '10.00', 'usd')).toBe(null)
    expect(cellDeltaText(null, 3, 'conversions')).toBe(null)
  })
})

describe('useCellDeltasStore', () => {
  it('shows a delta only when a value changed over a rebuild, for the same filters, for a few seconds', () => {
    const store = useCellDeltasStore()
    rebuild()
    expect(store.note({ id: 'compare:a|b:Email:a-conv', value: 1 }, 0)).toBeUndefined()
    // The same number again, or another number without a rebuild (another option of the view): no news.
    expect(store.note({ id: 'compare:a|b:Email:a-conv', value: 1 }, 10)).toBeUndefined()
    expect(store.note({ id: 'compare:a|b:Email:a-conv', value: 4 }, 20)).toBeUndefined()
    rebuild()
    expect(store.note({ id: 'compare:a|b:Email:a-conv', value: 5 }, 1000)).toMatchObject({ text: '+1', isUp: true })
    // Still shown while it lasts (a re-render), gone after.
    expect(store.note({ id: 'compare:a|b:Email:a-conv', value: 5 }, 1000 + CELL_DELTA_SHOWN_MS - 1)).toMatchObject({ text: '+1' })
    expect(store.note({ id: 'compare:a|b:Email:a-conv', value: 5 }, 1000 + CELL_DELTA_SHOWN_MS)).toBeUndefined()
  })

  it('counts a row new since its table was shown from zero, and never compares across filters or warehouses', () => {
    const store = useCellDeltasStore()
    rebuild()
    store.note({ id: 'compare:a|b:Email:a-conv', value: 1 })
    rebuild()
    expect(store.note({ id: 'compare:a|b:Paid Search:b-conv', value: 1 })?.text).toBe('+1')
    expect(store.note({ id: 'compare:a|b:Paid Search:b-rev', value: '45.00' })?.text).toBe('+$45.00')

    useFiltersStore().lookbackDays = 30
    rebuild()
    expect(store.note({ id: 'compare:a|b:Email:a-conv', value: 9 })).toBeUndefined()
    useDataVersionStore().startOver()
    expect(store.note({ id: 'compare:a|b:Email:a-conv', value: 2 })).toBeUndefined()
  })
})
