import type { Result } from '@shared/attribution'
import { type Ref, type ShallowRef, ref, shallowRef } from 'vue'

/** How a load runs: a background load (after the models refreshed) keeps the old answer on screen without the loading state. */
export interface LoadOptions {
  isBackground?: boolean
}

/** The state of one kind of request: the last answer kept while the next one loads (stale-while-revalidate). */
export interface Remote<T> {
  data: ShallowRef<T | undefined>
  error: Ref<string | undefined>
  isLoading: Ref<boolean>
  /** Runs a call; only the newest call's answer is kept, so a slow old answer never overwrites a new one. */
  run(call: () => Promise<Result<T>>, options?: LoadOptions): Promise<void>
}

/** The message of anything thrown, for a transport that rejects instead of answering a Result. */
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** Tracks a request's answer, error and in-flight state for a store. */
export function useRemote<T>(): Remote<T> {
  const data = shallowRef<T>()
  const error = ref<string>()
  const isLoading = ref(false)
  let latest = 0

  async function run(call: () => Promise<Result<T>>, options: LoadOptions = {}): Promise<void> {
    const ticket = ++latest
    // A background call still ends a superseded foreground call's loading state when it answers.
    if (!options.isBackground) isLoading.value = true
    let result: Result<T>
    try {
      result = await call()
    } catch (thrown) {
      // IPC rejects when the main process handler itself crashed; show it like any other error.
      result = { ok: false, error: `Unexpected error: ${messageOf(thrown)}` }
    }
    if (ticket !== latest) return
    isLoading.value = false
    if (result.ok) {
      data.value = result.value
      error.value = undefined
    } else if (!options.isBackground || data.value === undefined) {
      // A failed background load keeps the last good answer: the header already says the refresh failed.
      error.value = result.error
    }
  }

  return { data, error, isLoading, run }
}
