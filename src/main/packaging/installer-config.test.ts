import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Configuration } from 'app-builder-lib'
import { getConfig } from 'app-builder-lib/out/util/config/config.js'
import { beforeAll, describe, expect, it } from 'vitest'

const PROJECT_DIR = resolve(import.meta.dirname, '../../..')
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/** Width and height from a PNG's IHDR chunk, which always comes first. */
function pngSize(file: string): { width: number; height: number } {
  const head = readFileSync(file).subarray(0, 24)
  if (!head.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error(`${file} is not a PNG`)
  return { width: head.readUInt32BE(16), height: head.readUInt32BE(20) }
}

/** Target names of one platform's `target` setting, whichever of electron-builder's shapes it uses. */
function targetNames(target: unknown): string[] {
  const list = Array.isArray(target) ? target : target == null ? [] : [target]
  return list.map((entry) => (typeof entry === 'string' ? entry : (entry as { target: string }).target))
}

describe('installers (electron-builder.yml)', () => {
  let config: Configuration
  beforeAll(async () => {
    config = await getConfig(PROJECT_DIR, null, null)
  })

  it('builds AppImage and deb on Linux, a dmg on macOS and nsis on Windows', () => {
    expect(targetNames(config.linux?.target)).toEqual(expect.arrayContaining(['AppImage', 'deb']))
    expect(targetNames(config.mac?.target)).toEqual(['dmg'])
    expect(targetNames(config.win?.target)).toEqual(['nsis'])
  })

  it('names downloads without spaces and with the arch, so the two macOS dmgs differ', () => {
    expect(config.artifactName).toMatch(/\$\{arch\}/)
    expect(config.artifactName).not.toMatch(/\$\{productName\}|\s/)
  })

  it('unpacks the DuckDB native binding from the asar', () => {
    expect(config.asarUnpack).toContain('node_modules/@duckdb/**')
  })

  it('has a square 1024 px icon.png for macOS and Windows', () => {
    expect(config.mac?.icon).toBe('resources/icon.png')
    expect(config.win?.icon).toBe('resources/icon.png')
    expect(pngSize(join(PROJECT_DIR, 'resources/icon.png'))).toEqual({ width: 1024, height: 1024 })
  })

  it('has Linux icons whose file names tell their true size, from 16 to 512 px', () => {
    const dir = join(PROJECT_DIR, config.linux?.icon ?? 'missing')
    const names = readdirSync(dir).filter((name) => name.endsWith('.png'))
    for (const size of [16, 32, 48, 64, 128, 256, 512]) expect(names).toContain(`${size}x${size}.png`)
    for (const name of names) {
      const [width, height] = name.replace('.png', '').split('x').map(Number)
      expect(pngSize(join(dir, name)), name).toEqual({ width, height })
    }
  })
})
