import type { DeadLetter } from '@shared/settings-api'
import { defineStore } from 'pinia'
import { useApi } from '@renderer/api'
import { useRemote } from '@renderer/composables/use-remote'

/** How often the open live feed re-reads the refused events; they only appear while BigQuery streaming runs. */
export const DEAD_LETTERS_REFRESH_MS = 5_000

/** Events BigQuery refused as invalid, kept by the main process for the person to look at. */
export const useDeadLettersStore = defineStore('deadLetters', () => {
  const remote = useRemote<DeadLetter[]>()
  /** The refused events, as the main process lists them. */
  const letters = remote.data
  /** Why the list could not be read, or undefined. */
  const error = remote.error
  /** True while the list is read. */
  const isLoading = remote.isLoading

  /** Reads the list again; a failed re-read keeps the last list. */
  async function load(): Promise<void> {
    await remote.run(() => useApi().stream.deadLetters({}), { isBackground: letters.value !== undefined })
  }

  return { letters, error, isLoading, load }
})
