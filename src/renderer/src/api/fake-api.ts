import {
  type ApiChannel,
  type ApiResponse,
  type JobProgress,
  type MartsChanged,
  type RendererApi,
  type RendererMethods,
  rendererMethods,
} from '@shared/api'

/** Methods a fake may override, by domain; anything left out answers a "not faked" error. */
export type FakeApiOverrides = { [Domain in keyof RendererMethods]?: Partial<RendererMethods[Domain]> }

/** A RendererApi for tests: pass the answers a test needs; `emitProgress` and `emitMartsChanged` play pushed events. */
export function createFakeApi(
  overrides: FakeApiOverrides = {},
): RendererApi & { emitProgress(progress: JobProgress): void; emitMartsChanged(change?: MartsChanged): void } {
  // An error Result is a valid answer of every channel.
  const notFaked = async <C extends ApiChannel>(): Promise<ApiResponse<C>> =>
    ({ ok: false, error: 'not faked in this test' }) as ApiResponse<C>
  // Every channel of the contract answers, so a new channel never leaves the fake behind; overrides replace single methods.
  const methods = rendererMethods(notFaked)
  for (const domain of Object.keys(overrides) as Array<keyof RendererMethods>) Object.assign(methods[domain], overrides[domain])
  const listeners = new Set<(progress: JobProgress) => void>()
  const martsListeners = new Set<(change: MartsChanged) => void>()
  return {
    ...methods,
    onJobProgress(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    emitProgress(progress) {
      for (const listener of listeners) listener(progress)
    },
    onMartsChanged(listener) {
      martsListeners.add(listener)
      return () => martsListeners.delete(listener)
    },
    emitMartsChanged(change = { changedAt: new Date().toISOString() }) {
      for (const listener of martsListeners) listener(change)
    },
  }
}
