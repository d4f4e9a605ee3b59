import type { FeedEvent } from '@shared/api'
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { useApi } from '@renderer/api'
import { useRemote } from '@renderer/composables/use-remote'
import { feedRowKeys } from './feed'

/** How many of the newest events the feed shows. */
export const FEED_LIMIT = 50
/** How often the visible feed asks for new events. */
export const FEED_REFRESH_MS = 1_000
/** How long a newly arrived row stays highlighted; longer than one poll, so the highlight is not cut short. */
export const ARRIVAL_HIGHLIGHT_MS = 3_000

/** The live feed of the newest raw events. */
export const useFeedStore = defineStore('feed', () => {
  const remote = useRemote<FeedEvent[]>()
  /** The newest events, newest first, kept while the next poll runs. */
  const events = remote.data
  /** Why the last poll failed, or undefined. */
  const error = remote.error
  /** True while a poll is in flight. */
  const isLoading = remote.isLoading
  /** One key per shown row, in order: a duplicate's differs from its original's (see feedRowKeys). */
  const rowKeys = computed(() => feedRowKeys(events.value ?? []))
  /** When this window first saw each shown row arrive (ms), by row key; rows of the first load have none. */
  const arrivedAtMs = shallowRef<ReadonlyMap<string, number>>(new Map())
  /** Row keys of events that arrived in the last few seconds, to highlight them; empty after the first load. */
  const arrivedKeys = ref<ReadonlySet<string>>(new Set())

  /** True until the first answer arrived. */
  const isFirstLoad = computed(() => events.value === undefined)

  /** Asks for the newest events and notes when each one not seen before arrived. */
  async function poll(): Promise<void> {
    const before = events.value
    await remote.run(() => useApi().events.recent({ limit: FEED_LIMIT }))
    const after = events.value
    if (before === undefined || after === undefined || after === before) return
    const nowMs = Date.now()
    const seen = new Set(feedRowKeys(before))
    const arrivals = new Map<string, number>()
    for (const key of feedRowKeys(after)) {
      const at = arrivedAtMs.value.get(key) ?? (seen.has(key) ? undefined : nowMs)
      if (at !== undefined) arrivals.set(key, at)
    }
    arrivedAtMs.value = arrivals
    arrivedKeys.value = new Set([...arrivals].filter(([, at]) => nowMs - at < ARRIVAL_HIGHLIGHT_MS).map(([key]) => key))
  }

  return { events, error, isLoading, rowKeys, arrivedAtMs, arrivedKeys, isFirstLoad, poll }
})
