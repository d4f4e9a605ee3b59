import type { Directive } from 'vue'
import type { DeltaCell } from '../lib/cell-delta'
import { useCellDeltasStore } from '../stores/cell-deltas'

const timers = new WeakMap<HTMLElement, ReturnType<typeof setTimeout>>()

function apply(element: HTMLElement, cell: DeltaCell): void {
  const delta = useCellDeltasStore().note(cell)
  clearTimeout(timers.get(element))
  if (!delta) {
    element.removeAttribute('data-delta')
    element.removeAttribute('data-delta-sign')
    return
  }
  // Data attributes, not classes: Vue rewrites a bound class, never an attribute it does not own. The styles draw the marker.
  element.setAttribute('data-delta', delta.text)
  element.setAttribute('data-delta-sign', delta.isUp ? 'up' : 'down')
  timers.set(
    element,
    setTimeout(() => {
      element.removeAttribute('data-delta')
      element.removeAttribute('data-delta-sign')
    }, delta.untilMs - Date.now()),
  )
}

/**
 * `v-delta="{ id, value, unit }"` on any number on screen: after new data (a burst refreshed), a
 * changed number is highlighted with its delta ("+1", "+$45.00") for a few seconds. One mechanism
 * for every view; the previous values live in the cell-deltas store, keyed by the cell's id.
 */
export const vDelta: Directive<HTMLElement, DeltaCell> = {
  mounted: (element, binding) => apply(element, binding.value),
  updated: (element, binding) => {
    if (binding.value.value !== binding.oldValue?.value || binding.value.id !== binding.oldValue?.id) apply(element, binding.value)
  },
  unmounted: (element) => clearTimeout(timers.get(element)),
}
