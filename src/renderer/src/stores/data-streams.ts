import type { StreamInfo } from '@shared/api'
import { defineStore } from 'pinia'
import { computed } from 'vue'
import { useApi } from '../api'
import { useRemote } from '../composables/use-remote'
import { useFiltersStore } from './filters'

/** The GA4 data streams of the modelled events, for the header's stream picker (not the live "Stream events" store). */
export const useDataStreamsStore = defineStore('dataStreams', () => {
  const remote = useRemote<StreamInfo[]>()
  /** Every stream the models have read, most events first. */
  const streams = computed<StreamInfo[]>(() => remote.data.value ?? [])
  /** Why the list could not be read. */
  const error = remote.error
  /** A choice among streams exists only with two or more. */
  const canChoose = computed(() => streams.value.length > 1)

  /** Reads the list again (at start and after a build); a chosen stream no longer offered (gone, or the only one) goes back to all streams. */
  async function load(): Promise<void> {
    await remote.run(() => useApi().attribution.streams({}), { isBackground: remote.data.value !== undefined })
    const filters = useFiltersStore()
    const known = remote.data.value
    if (known && filters.streamId && (known.length < 2 || !known.some((stream) => stream.streamId === filters.streamId)))
      filters.setStream('')
  }

  /** "2100450278 (WEB)": how the picker and the context lines name a stream. */
  function label(streamId: string): string {
    const found = streams.value.find((stream) => stream.streamId === streamId)
    return found ? `${found.streamId} (${found.platform})` : streamId
  }

  return { streams, error, canChoose, load, label }
})
