import { resolve } from 'node:path'
import type { Configuration, FuseOptionsV1 } from 'app-builder-lib'
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js'
import { DebugLogger } from 'builder-util'
import { beforeAll, describe, expect, it } from 'vitest'

const PROJECT_DIR = resolve(import.meta.dirname, '../../..')

/** The fuses the packaged binary must carry; typed by electron-builder, so a misspelt key fails the typecheck. */
const EXPECTED_FUSES = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableCookieEncryption: true,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  grantFileProtocolExtraPrivileges: false,
} as const satisfies FuseOptionsV1

// electron-builder's own loader and schema check, so the test reads the config exactly as `npm run package` does.
describe('packaging configuration (electron-builder.yml)', () => {
  let config: Configuration
  beforeAll(async () => {
    config = await getConfig(PROJECT_DIR, null, null)
  })

  it("is valid against electron-builder's schema", async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined()
  })

  it.each(Object.entries(EXPECTED_FUSES))('sets the fuse %s to %s', (name, value) => {
    // toBe, not toEqual: a YAML "no" or "false" in quotes must not pass as false.
    expect(config.electronFuses?.[name as keyof FuseOptionsV1]).toBe(value)
  })

  it('keeps the asar and its integrity hash, which the asar-only fuses rely on', () => {
    expect(config.asar).not.toBe(false)
    expect(config.disableAsarIntegrity).not.toBe(true)
  })

  it('rejects a misspelt fuse name, so the schema check above has teeth', async () => {
    const misspelt = { ...config, electronFuses: { ...config.electronFuses, runAsNodes: false } } as Configuration
    await expect(validateConfiguration(misspelt, new DebugLogger(false))).rejects.toThrow(/electronFuses/)
  })
})
