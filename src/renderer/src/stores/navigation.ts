import { defineStore } from 'pinia'
import { ref } from 'vue'

/** The dashboard views in navigation order, then the settings. */
export const VIEWS = ['compare', 'models', 'paths', 'trends', 'channels', 'cost', 'feed', 'settings'] as const
export type ViewName = (typeof VIEWS)[number]

/** Sections a view can be opened at: `credentials` is the Settings key panel. */
export type ViewSection = 'credentials'

/** True when a string names a view, e.g. from the URL hash. */
export function isViewName(value: string): value is ViewName {
  return (VIEWS as readonly string[]).includes(value)
}

/** Which view is open; mirrored in the URL hash so a reload or an e2e test can open a view directly. */
export const useNavigationStore = defineStore('navigation', () => {
  const fromHash = typeof location === 'undefined' ? '' : location.hash.replace(/^#\/?/, '')
  /** The open view. */
  const current = ref<ViewName>(isViewName(fromHash) ? fromHash : 'compare')
  /** A part of the opened view to bring into sight once it shows (the Settings key panel); cleared by that part. */
  const focus = ref<ViewSection | null>(null)

  /** Opens a view, optionally at one of its sections. */
  function open(view: ViewName, section: ViewSection | null = null): void {
    current.value = view
    focus.value = section
    if (typeof history !== 'undefined') history.replaceState(null, '', `#/${view}`)
  }

  return { current, focus, open }
})
