import { watch } from 'vue'
import type { LoadOptions } from './use-remote'
import { useDataVersionStore } from '../stores/data-version'

/**
 * Loads a view's data now and whenever `inputs` change, and again in the background whenever the marts
 * were rebuilt: the old numbers stay on screen, undimmed, until the new ones arrive.
 */
export function useViewLoader(inputs: () => unknown, load: (options: LoadOptions) => Promise<void>): void {
  const dataVersion = useDataVersionStore()
  watch(inputs, () => load({}), { immediate: true })
  watch(
    () => dataVersion.version,
    () => load({ isBackground: true }),
  )
}
