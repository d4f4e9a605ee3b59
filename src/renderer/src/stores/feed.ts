import type { FeedEvent } from '@shared/api'
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { useApi } from '../api'
import { useRemote } from '../composables/use-remote'

/** How many of the newest events the feed shows. */
export const FEED_LIMIT = 50
/** How often the visible feed asks for new events. */
export const FEED_REFRESH_MS = 2_000

/** The live feed of the newest raw events. */
export const useFeedStore = defineStore('feed', () => {
  const remote = useRemote<FeedEvent[]>()
  /** The newest events, newest first, kept while the next poll runs. */
  const events = remote.data
  /** Why the last poll failed, or undefined. */
  const error = remote.error
  /** True while a poll is in flight. */
  const isLoading = remote.isLoading
  /** Keys of events that arrived with the latest poll, to highlight them; empty on the first load. */
  const arrivedKeys = ref<ReadonlySet<string>>(new Set())

  /** True until the first answer arrived. */
  const isFirstLoad = computed(() => events.value === undefined)

  /** Asks for the newest events and marks the ones not seen before. */
  async function poll(): Promise<void> {
    const before = events.value
    await remote.run(() => useApi().events.recent({ limit: FEED_LIMIT }))
    if (before === undefined || events.value === before) {
      arrivedKeys.value = new Set()
      return
    }
    const seen = new Set(before.map((event) => event.event_key))
    arrivedKeys.value = new Set((events.value ?? []).filter((event) => !seen.has(event.event_key)).map((event) => event.event_key))
  }

  return { events, error, isLoading, arrivedKeys, isFirstLoad, poll }
})
