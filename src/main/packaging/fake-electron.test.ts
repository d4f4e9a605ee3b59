import { describe, expect, it } from 'vitest'
import { FAKE_ELECTRON_EXPORTS, FakeElectron } from './fake-electron.ts'

function newFake() {
  const exits: number[] = []
  const fake = new FakeElectron({ userDataDir: '/tmp/fake-user-data', onExit: (code) => exits.push(code) })
  const electron = fake.modules as unknown as Record<string, Record<string, unknown> & (new (options: object) => Record<string, unknown>)>
  return { fake, electron, exits }
}

describe('the fake electron module', () => {
  it('exports every name it knows, and throws on (and records) any API it does not', () => {
    const { fake, electron } = newFake()
    expect(Object.keys(fake.modules).sort()).toEqual([...FAKE_ELECTRON_EXPORTS, 'default'].sort())
    expect(() => electron.app!.dock).toThrow(/no app\.dock/)
    expect(() => electron.BrowserWindow!.fromWebContents).toThrow(/no BrowserWindow\.fromWebContents/)
    expect(() => electron.default!.nativeTheme).toThrow(/no electron\.nativeTheme/)
    const window = new electron.BrowserWindow!({ webPreferences: {} })
    expect(() => window.setMenu).toThrow(/no BrowserWindow#instance\.setMenu/)
    expect(() => (window.webContents as Record<string, unknown>).openDevTools).toThrow(/no webContents\.openDevTools/)
    // Fields the fake keeps for itself are not Electron's either.
    expect(() => electron.app!.ready).toThrow(/no app\.ready/)
    expect(() => window.destroyed).toThrow(/no BrowserWindow#instance\.destroyed/)
    expect(fake.unknownApis).toEqual([
      'app.dock',
      'BrowserWindow.fromWebContents',
      'electron.nativeTheme',
      'BrowserWindow#instance.setMenu',
      'webContents.openDevTools',
      'app.ready',
      'BrowserWindow#instance.destroyed',
    ])
  })

  it('is not mistaken for a promise when awaited', async () => {
    const { fake, electron } = newFake()
    expect(await Promise.resolve(electron.app)).toBe(electron.app)
    expect(fake.unknownApis).toEqual([])
  })

  it('quits as Electron does: before-quit and will-quit may cancel, else exit 0', () => {
    const { fake, exits } = newFake()
    const cancelOnce = (event: { preventDefault(): void }) => event.preventDefault()
    fake.app.once('before-quit', cancelOnce)
    fake.app.quit()
    expect(exits).toEqual([])
    fake.app.once('will-quit', cancelOnce)
    fake.app.quit()
    expect(exits).toEqual([])
    fake.app.quit()
    expect(exits).toEqual([0])
  })
})
