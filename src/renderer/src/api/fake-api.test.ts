import { API_CHANNELS, type JobProgress, type RendererApi } from '@shared/api'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { createFakeApi } from './fake-api'

/** The fake's methods by channel name, to call every one of them in a loop. */
function methodOf(api: RendererApi, channel: string): ((request: unknown) => Promise<unknown>) | undefined {
  const [domain = '', verb = ''] = channel.split(':')
  return (api as unknown as Record<string, Record<string, (request: unknown) => Promise<unknown>> | undefined>)[domain]?.[verb]
}

describe('createFakeApi', () => {
  it('is a full RendererApi (type level)', () => {
    expectTypeOf(createFakeApi()).toExtend<RendererApi>()
  })

  it('answers every channel of the contract with a "not faked" error unless overridden', async () => {
    const api = createFakeApi()
    for (const channel of API_CHANNELS) {
      expect(await methodOf(api, channel)?.({}), channel).toEqual({ ok: false, error: 'not faked in this test' })
    }
  })

  it('replaces only the overridden methods and keeps the rest of their domain', async () => {
    const api = createFakeApi({
      stream: { burst: async ({ count }) => ({ ok: true, value: { queued: count, added: count, duplicates: 0, rejected: 0 } }) },
    })
    expect(await api.stream.burst({ count: 7 })).toEqual({ ok: true, value: { queued: 7, added: 7, duplicates: 0, rejected: 0 } })
    expect(await api.stream.stop({})).toEqual({ ok: false, error: 'not faked in this test' })
    expect(await api.stream.deadLetters({})).toEqual({ ok: false, error: 'not faked in this test' })
  })

  it('gives each fake its own methods', async () => {
    const faked = createFakeApi({ events: { recent: async () => ({ ok: true, value: [] }) } })
    const plain = createFakeApi()
    expect(await faked.events.recent({ limit: 1 })).toEqual({ ok: true, value: [] })
    expect((await plain.events.recent({ limit: 1 })).ok).toBe(false)
  })

  it('refuses overrides the contract does not have (type level)', () => {
    // Compiled, never run: each call is a type error.
    const illTyped = () => [
      // @ts-expect-error 'remove' is not a verb of the events domain
      createFakeApi({ events: { remove: async () => ({ ok: true, value: null }) } }),
      // @ts-expect-error 'fs' is not a domain of the contract
      createFakeApi({ fs: {} }),
      // @ts-expect-error events:recent answers FeedEvent[], not a number
      createFakeApi({ events: { recent: async () => ({ ok: true, value: 3 }) } }),
    ]
    expectTypeOf(illTyped).returns.items.toExtend<RendererApi>()
  })

  it('plays pushed job progress to its listeners until they unsubscribe', () => {
    const api = createFakeApi()
    const seen: JobProgress[] = []
    const stop = api.onJobProgress((progress) => seen.push(progress))
    const progress: JobProgress = { job: 'build', phase: 'dbt', percent: 50, message: 'half way' }
    api.emitProgress(progress)
    stop()
    api.emitProgress(progress)
    expect(seen).toEqual([progress])
  })
})
