import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { API_CHANNELS } from '@shared/api'
import { type AppServices, createAppServices } from '../app-services'
import { makeTempDir } from '../testing/fixtures'
import { APP_PAGE_URL } from './app-protocol'
import { type IpcEventLike, type IpcMainLike, bindIpcHandlers } from './ipc'
import { isTrustedSender } from './window-policy'

const APP_URL = APP_PAGE_URL

/** Records what bindIpcHandlers registers, standing in for Electron's ipcMain (the binary is not available here). */
class IpcRegistry implements IpcMainLike {
  readonly listeners = new Map<string, (event: IpcEventLike, input: unknown) => Promise<unknown>>()
  handle(channel: string, listener: (event: IpcEventLike, input: unknown) => Promise<unknown>): void {
    this.listeners.set(channel, listener)
  }
  invoke(channel: string, event: IpcEventLike, input: unknown): Promise<unknown> {
    const listener = this.listeners.get(channel)
    if (!listener) throw new Error(`no handler for ${channel}`)
    return listener(event, input)
  }
}

describe('IPC binding over the real services', () => {
  const temp = makeTempDir('ipc')
  let services: AppServices
  const ipc = new IpcRegistry()
  beforeAll(async () => {
    services = await createAppServices({ warehousePath: join(temp.dir, 'warehouse.duckdb') })
    bindIpcHandlers(ipc, services.handlers, (sender) => isTrustedSender(sender, { webContentsId: 1, appUrl: APP_URL }))
  })
  const fromApp: IpcEventLike = { sender: { id: 1 }, senderFrame: { url: APP_URL } }
  const fromElsewhere: IpcEventLike = { sender: { id: 2 }, senderFrame: { url: 'https://evil.example/' } }
  // The app window itself, but showing a page that is not the app's: a file:// page, another app:// host, no frame.
  const fromAppWindowElsewhere: IpcEventLike[] = [
    { sender: { id: 1 }, senderFrame: { url: 'file:///opt/app/out/renderer/index.html' } },
    { sender: { id: 1 }, senderFrame: { url: 'app://evil/index.html' } },
    { sender: { id: 1 }, senderFrame: { url: 'http://localhost:5173/' } },
    { sender: { id: 1 }, senderFrame: null },
  ]

  afterAll(async () => {
    await services.close()
    temp.cleanup()
  })

  it('binds every channel of the contract', () => {
    expect([...ipc.listeners.keys()].sort()).toEqual([...API_CHANNELS].sort())
  })

  it('answers the app window', async () => {
    const result = await ipc.invoke('warehouse:status', fromApp, {})
    expect(result).toMatchObject({ ok: true, value: { kind: 'embedded', events: 0, hasModels: false } })
  })

  it('refuses a sender that is not the app window, before any work', async () => {
    for (const channel of API_CHANNELS) {
      expect(await ipc.invoke(channel, fromElsewhere, {})).toEqual({ ok: false, error: expect.stringMatching(/Refused/) })
    }
  })

  it('refuses the app window when it shows any page but the app:// page', async () => {
    for (const event of fromAppWindowElsewhere) {
      expect(await ipc.invoke('warehouse:status', event, {})).toEqual({ ok: false, error: expect.stringMatching(/Refused/) })
    }
  })

  it('answers the app page after an in-app route change', async () => {
    const fromRoute: IpcEventLike = { sender: { id: 1 }, senderFrame: { url: `${APP_URL}#/trends` } }
    expect(await ipc.invoke('warehouse:status', fromRoute, {})).toMatchObject({ ok: true })
  })

  it.each([
    ['a string instead of an object', 'attribution:compare', 'lookback=14', /must be an object/],
    ['a lookback as text', 'attribution:compare', { lookbackDays: '14', conversionEvents: ['purchase'] }, /whole number/],
    ['a fractional lookback', 'attribution:compare', { lookbackDays: 14.5, conversionEvents: ['purchase'] }, /whole number/],
    ['a lookback of 0', 'attribution:compare', { lookbackDays: 0, conversionEvents: ['purchase'] }, /between 1 and 90/],
    [
      'a lookback of 91',
      'attribution:trends',
      { lookbackDays: 91, conversionEvents: ['purchase'], days: 14, byChannel: false },
      /between 1 and 90/,
    ],
    [
      'a conversion event that is no GA4 event name',
      'attribution:compare',
      { lookbackDays: 14, conversionEvents: ['sign-up'] },
      /"sign-up" is not a GA4 event name/,
    ],
    ['no conversion events', 'attribution:compare', { lookbackDays: 14, conversionEvents: [] }, /at least one/],
    [
      'an oversized channel name',
      'attribution:breakdown',
      { model: 'first_click', by: 'source_medium', lookbackDays: 14, conversionEvents: ['purchase'], channel: 'x'.repeat(10_000) },
      /at most 200/,
    ],
    [
      'an unknown model',
      'attribution:breakdown',
      { model: 'middle_click', by: 'channel', lookbackDays: 14, conversionEvents: ['purchase'] },
      /Unknown attribution model/,
    ],
    [
      'a bad date',
      'attribution:compare',
      { lookbackDays: 14, conversionEvents: ['purchase'], fromDate: '2021-13-45' },
      /fromDate must be a real calendar date/,
    ],
    ['a feed limit too large', 'events:recent', { limit: 1e9 }, /limit/],
    ['arguments to a channel that takes none', 'warehouse:status', { evil: true }, /no arguments/],
    ['an oversized file name', 'warehouse:importFiles', { files: ['p'.repeat(5000)] }, /reasonable length/],
    ['a non-https link', 'shell:openExternal', { url: 'file:///etc/passwd' }, /https/],
  ])('rejects %s with a message', async (_name, channel, input, message) => {
    const result = (await ipc.invoke(channel, fromApp, input)) as { ok: boolean; error: string }
    expect(result.ok).toBe(false)
    expect(result.error).toMatch(message)
  })
})
