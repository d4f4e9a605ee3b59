import { type ApiChannel, type ApiResponse, type JobProgress, type RendererApi, type RendererMethods, rendererMethods } from '@shared/api'

/** Methods a fake may override, by domain; anything left out answers a "not faked" error. */
export type FakeApiOverrides = { [Domain in keyof RendererMethods]?: Partial<RendererMethods[Domain]> }

/** A RendererApi for tests: pass the answers a test needs; `emitProgress` plays a pushed job:progress event. */
export function createFakeApi(overrides: FakeApiOverrides = {}): RendererApi & { emitProgress(progress: JobProgress): void } {
  // An error Result is a valid answer of every channel.
  const notFaked = async <C extends ApiChannel>(): Promise<ApiResponse<C>> =>
    ({ ok: false, error: 'not faked in this test' }) as ApiResponse<C>
  // Every channel of the contract answers, so a new channel never leaves the fake behind; overrides replace single methods.
  const methods = rendererMethods(notFaked)
  for (const domain of Object.keys(overrides) as Array<keyof RendererMethods>) Object.assign(methods[domain], overrides[domain])
  const listeners = new Set<(progress: JobProgress) => void>()
  return {
    ...methods,
    onJobProgress(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    emitProgress(progress) {
      for (const listener of listeners) listener(progress)
    },
  }
}
