import type { JobProgress, RendererApi } from '@shared/api'

/** Methods a fake may override, by domain; anything left out answers a "not faked" error. */
export type FakeApiOverrides = { [Domain in Exclude<keyof RendererApi, 'onJobProgress'>]?: Partial<RendererApi[Domain]> }

/** A RendererApi for tests: pass the answers a test needs; `emitProgress` plays a pushed job:progress event. */
export function createFakeApi(overrides: FakeApiOverrides = {}): RendererApi & { emitProgress(progress: JobProgress): void } {
  const notFaked = async () => ({ ok: false as const, error: 'not faked in this test' })
  const listeners = new Set<(progress: JobProgress) => void>()
  return {
    attribution: { compare: notFaked, trends: notFaked, breakdown: notFaked, ...overrides.attribution },
    events: { recent: notFaked, ...overrides.events },
    warehouse: {
      status: notFaked,
      generateSample: notFaked,
      importFiles: notFaked,
      chooseAndImport: notFaked,
      ...overrides.warehouse,
    },
    shell: { openExternal: notFaked, ...overrides.shell },
    onJobProgress(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    emitProgress(progress) {
      for (const listener of listeners) listener(progress)
    },
  }
}
