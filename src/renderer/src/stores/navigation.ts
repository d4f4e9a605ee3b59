import { defineStore } from 'pinia'
import { ref } from 'vue'

/** The dashboard views in navigation order, then the settings. */
export const VIEWS = ['compare', 'models', 'paths', 'trends', 'channels', 'feed', 'settings'] as const
export type ViewName = (typeof VIEWS)[number]

/** True when a string names a view, e.g. from the URL hash. */
export function isViewName(value: string): value is ViewName {
  return (VIEWS as readonly string[]).includes(value)
}

/** Which view is open; mirrored in the URL hash so a reload or an e2e test can open a view directly. */
export const useNavigationStore = defineStore('navigation', () => {
  const fromHash = typeof location === 'undefined' ? '' : location.hash.replace(/^#\/?/, '')
  /** The open view. */
  const current = ref<ViewName>(isViewName(fromHash) ? fromHash : 'compare')

  /** Opens a view. */
  function open(view: ViewName): void {
    current.value = view
    if (typeof history !== 'undefined') history.replaceState(null, '', `#/${view}`)
  }

  return { current, open }
})
