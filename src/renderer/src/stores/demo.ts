import type { DemoStatus } from '@shared/api'
import type { Result } from '@shared/attribution'
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { useApi } from '../api'
import { useStreamStore } from './stream'

/** The demo sandbox as the header shows it: which warehouse the views use, and going back or removing the copy. */
export const useDemoStore = defineStore('demo', () => {
  const stream = useStreamStore()
  /** The demo as the newest stream status says; null on BigQuery and before the first status. */
  const status = computed<DemoStatus | null>(() => stream.status?.demo ?? null)
  /** True while the views and "Stream events" use the demo copy. */
  const isActive = computed(() => status.value?.isActive ?? false)
  /** True while a switch or removal runs. */
  const isBusy = ref(false)
  /** Why the last switch or removal failed, or undefined. */
  const error = ref<string>()

  async function act(call: () => Promise<Result<DemoStatus>>): Promise<void> {
    isBusy.value = true
    error.value = undefined
    try {
      const result = await call()
      if (!result.ok) error.value = result.error
    } finally {
      isBusy.value = false
    }
    await stream.poll()
  }

  return {
    status,
    isActive,
    isBusy,
    error,
    /** Shows the demo copy again (it is kept after going back). */
    enter: () => act(() => useApi().demo.enter({})),
    /** Back to the real warehouse; the copy is kept. */
    leave: () => act(() => useApi().demo.leave({})),
    /** Back to the real warehouse, and the copy deleted. */
    remove: () => act(() => useApi().demo.remove({})),
  }
})
