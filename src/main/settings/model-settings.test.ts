import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { projectRoot } from '../paths'
import { makeTempDir } from '../testing/fixtures'
import { DEFAULT_MODEL_SETTINGS, loadModelSettings, modelSettingsPath, saveModelSettings } from './model-settings'

const CLI = join(projectRoot(), 'bin', 'attribution.js')

describe("a warehouse's model settings", () => {
  const temp = makeTempDir('model-settings')
  afterAll(temp.cleanup)

  it('are the defaults without a file, and what was saved after', async () => {
    const warehouse = join(temp.dir, 'saved.duckdb')
    expect(await loadModelSettings(warehouse)).toEqual({ ok: true, value: DEFAULT_MODEL_SETTINGS })
    expect(await saveModelSettings(warehouse, { userIdStitching: false })).toEqual({ ok: true, value: { userIdStitching: false } })
    expect(await loadModelSettings(warehouse)).toEqual({ ok: true, value: { userIdStitching: false } })
  })

  it('refuse a broken or mistyped file rather than building with the defaults', async () => {
    const warehouse = join(temp.dir, 'broken.duckdb')
    writeFileSync(modelSettingsPath(warehouse), '{"userIdStitching": "no"}')
    expect(await loadModelSettings(warehouse)).toEqual({
      ok: false,
      error: `${modelSettingsPath(warehouse)}: userIdStitching must be true or false.`,
    })
    writeFileSync(modelSettingsPath(warehouse), '{')
    expect((await loadModelSettings(warehouse)).ok).toBe(false)
  })

  it('are shown and changed by the CLI, in the file the app reads', () => {
    const warehouse = join(temp.dir, 'cli.duckdb')
    const cli = (args: string[]) =>
      spawnSync(process.execPath, [CLI, 'settings', ...args, '--warehouse', warehouse], { encoding: 'utf8', timeout: 60_000 })
    expect(cli([]).stdout).toBe('user-id stitching: on\n')
    expect(cli(['--user-id-stitching', 'off']).stdout).toBe('user-id stitching: off (saved; the next build applies it)\n')
    expect(JSON.parse(readFileSync(modelSettingsPath(warehouse), 'utf8'))).toEqual({ userIdStitching: false })
    const wrong = cli(['--user-id-stitching', 'maybe'])
    expect([wrong.status, wrong.stderr]).toEqual([1, '--user-id-stitching must be on or off, got "maybe".\n'])
  })
})
