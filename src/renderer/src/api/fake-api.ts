import { API_CHANNELS, type JobProgress, type RendererApi } from '@shared/api'

/** Methods a fake may override, by domain; anything left out answers a "not faked" error. */
export type FakeApiOverrides = { [Domain in Exclude<keyof RendererApi, 'onJobProgress'>]?: Partial<RendererApi[Domain]> }

/** A RendererApi for tests: pass the answers a test needs; `emitProgress` plays a pushed job:progress event. */
export function createFakeApi(overrides: FakeApiOverrides = {}): RendererApi & { emitProgress(progress: JobProgress): void } {
  const notFaked = async () => ({ ok: false as const, error: 'not faked in this test' })
  const listeners = new Set<(progress: JobProgress) => void>()
  // Every channel of the contract, so a new channel never leaves the fake behind.
  const given = overrides as Record<string, Record<string, unknown> | undefined>
  const methods: Record<string, Record<string, unknown>> = {}
  for (const channel of API_CHANNELS) {
    const [domain = '', verb = ''] = channel.split(':')
    ;(methods[domain] ??= {})[verb] = given[domain]?.[verb] ?? notFaked
  }
  return {
    ...(methods as unknown as Omit<RendererApi, 'onJobProgress'>),
    onJobProgress(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    emitProgress(progress) {
      for (const listener of listeners) listener(progress)
    },
  }
}
