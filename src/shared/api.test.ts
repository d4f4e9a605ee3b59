import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  API_CHANNELS,
  API_CHANNEL_KEYS,
  type ApiChannel,
  type ApiChannels,
  type ApiRequest,
  type ApiResponse,
  type ChannelCall,
  type ChannelKeys,
  type RendererMethods,
  isApiChannel,
  rendererMethods,
} from './api'
import { SETTINGS_CHANNEL_KEYS, type SettingsChannels } from './settings-api'

// Type-level checks: `npm run typecheck` compiles this file, so each @ts-expect-error must still be an error.

describe('the channel keys (type level)', () => {
  it('rejects a channel left out', () => {
    const { 'refresh:cancel': _leftOut, ...allButOne } = API_CHANNEL_KEYS
    // @ts-expect-error 'refresh:cancel' is missing
    const missing: ChannelKeys<ApiChannel> = allButOne
    expect(Object.keys(missing)).toHaveLength(API_CHANNELS.length - 1)
  })

  it('rejects a channel the contract does not have', () => {
    // @ts-expect-error 'fs:readFile' is not a channel of ApiChannels
    const extra: ChannelKeys<ApiChannel> = { ...API_CHANNEL_KEYS, 'fs:readFile': true }
    expect(Object.keys(extra)).toHaveLength(API_CHANNELS.length + 1)
  })

  it('rejects a settings channel left out', () => {
    const { 'stream:deadLetters': _leftOut, ...allButOne } = SETTINGS_CHANNEL_KEYS
    // @ts-expect-error 'stream:deadLetters' is missing
    const missing: ChannelKeys<keyof SettingsChannels> = allButOne
    expect(Object.keys(missing)).not.toContain('stream:deadLetters')
  })

  it('would reject the current keys once the contract gains a channel', () => {
    expectTypeOf(API_CHANNEL_KEYS).toExtend<ChannelKeys<ApiChannel>>()
    expectTypeOf(API_CHANNEL_KEYS).not.toExtend<ChannelKeys<ApiChannel | 'reports:export'>>()
  })

  it('rejects renderer methods that leave a channel out', () => {
    expectTypeOf<RendererMethods['refresh']>().toEqualTypeOf<{ cancel: ApiChannels['refresh:cancel'] }>()
    expectTypeOf<{ cancel?: ApiChannels['refresh:cancel'] }>().not.toExtend<RendererMethods['refresh']>()
    expectTypeOf<Omit<RendererMethods, 'credentials'>>().not.toExtend<RendererMethods>()
  })
})

describe('API_CHANNELS', () => {
  it('lists every key of the contract once, each named domain:verb', () => {
    expect([...API_CHANNELS].sort()).toEqual(Object.keys(API_CHANNEL_KEYS).sort())
    expect(new Set(API_CHANNELS).size).toBe(API_CHANNELS.length)
    for (const channel of API_CHANNELS) expect(channel).toMatch(/^[a-z]+:[a-zA-Z]+$/)
  })

  it('includes every settings channel', () => {
    for (const channel of Object.keys(SETTINGS_CHANNEL_KEYS)) expect(API_CHANNELS).toContain(channel)
  })
})

describe('isApiChannel', () => {
  it('accepts the contract channels and nothing else, not even names every object has', () => {
    for (const channel of API_CHANNELS) expect(isApiChannel(channel)).toBe(true)
    for (const name of ['fs:readFile', 'toString', 'constructor', '__proto__', 'hasOwnProperty', '', 'attribution:']) {
      expect(isApiChannel(name), name).toBe(false)
    }
  })
})

describe('rendererMethods', () => {
  it('gives every channel a method that hands its own channel name and request to the transport', async () => {
    const calls: Array<{ channel: ApiChannel; request: unknown }> = []
    const call: ChannelCall = async <C extends ApiChannel>(channel: C, request: ApiRequest<C>) => {
      calls.push({ channel, request })
      return { ok: false, error: channel } as ApiResponse<C>
    }
    const methods = rendererMethods(call) as unknown as Record<string, Record<string, (request: unknown) => Promise<unknown>>>
    for (const channel of API_CHANNELS) {
      const [domain = '', verb = ''] = channel.split(':')
      const request = { marker: channel }
      expect(await methods[domain]?.[verb]?.(request), channel).toEqual({ ok: false, error: channel })
    }
    expect(calls).toEqual(API_CHANNELS.map((channel) => ({ channel, request: { marker: channel } })))
    const methodCount = Object.values(methods).reduce((sum, verbs) => sum + Object.keys(verbs).length, 0)
    expect(methodCount).toBe(API_CHANNELS.length)
  })
})
