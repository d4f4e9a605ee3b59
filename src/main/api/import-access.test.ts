import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AppServices, createAppServices } from '../app-services'
import { withoutQuotedValues } from '../errors'
import { makeTempDir } from '../testing/fixtures'

// `warehouse:importFiles` imports only what the host lets the renderer name, and never quotes a file's contents.
const SECRET = 'SECRET-3f1c'
const GA4_LINE = { event_date: '20210101', event_timestamp: 1609459200000000, event_name: 'page_view', user_pseudo_id: 'u1' }
/** GA4-shaped lines whose values DuckDB would quote back: the contents must not reach the renderer. */
const BAD_FILES: Record<string, object> = {
  'params-not-a-list.ndjson': { ...GA4_LINE, event_params: SECRET },
  'timestamp-not-a-number.ndjson': { ...GA4_LINE, event_timestamp: SECRET },
  'revenue-not-a-number.ndjson': { ...GA4_LINE, ecommerce: { purchase_revenue_in_usd: SECRET } },
}

describe('which files the renderer may import', () => {
  const temp = makeTempDir('import-access')
  const outside = join(temp.dir, 'outside')
  const root = join(temp.dir, 'data', 'imports')
  const chosen: string[][] = []
  let desktop: AppServices
  let bridge: AppServices

  beforeAll(async () => {
    mkdirSync(outside, { recursive: true })
    mkdirSync(join(root, 'folder'), { recursive: true })
    writeFileSync(join(outside, 'private.ndjson'), `${JSON.stringify({ ...GA4_LINE, event_params: SECRET })}\n`)
    for (const [name, line] of Object.entries(BAD_FILES)) {
      writeFileSync(join(root, name), `${JSON.stringify(line)}\n`)
      writeFileSync(join(outside, name), `${JSON.stringify(line)}\n`)
    }
    symlinkSync(join(outside, 'private.ndjson'), join(root, 'link-out.ndjson'))
    // The desktop app: a file dialog; the bridge: a folder.
    desktop = await createAppServices({
      warehousePath: join(temp.dir, 'desktop', 'warehouse.duckdb'),
      autoSetUpDbt: false,
      host: { chooseImportFiles: async () => chosen.shift() ?? null },
    })
    bridge = await createAppServices({ warehousePath: join(temp.dir, 'data', 'warehouse.duckdb'), autoSetUpDbt: false, importRoot: root })
  })
  afterAll(async () => {
    await desktop?.close()
    await bridge?.close()
    temp.cleanup()
  })

  const importing = async (services: AppServices, files: string[]): Promise<string> => {
    const result = await services.handlers['warehouse:importFiles']({ files })
    if (result.ok) throw new Error(`imported ${files.join(', ')}`)
    return result.error
  }

  it('refuses any path in the desktop app, the same way whether the file exists or not', async () => {
    const existing = await importing(desktop, [join(outside, 'private.ndjson')])
    const missing = await importing(desktop, [join(outside, 'no-such-file.ndjson')])
    expect(existing).toMatch(/^Only files chosen in the file dialog can be imported/)
    expect(missing).toBe(existing)
    expect(await importing(desktop, ['/etc/passwd'])).toBe(existing)
  })

  it('imports by a token of the open dialog, once, and refuses tokens it never issued', async () => {
    chosen.push([join(outside, 'params-not-a-list.ndjson')])
    const picked = await desktop.handlers['warehouse:chooseFiles']({})
    if (!picked.ok || !picked.value) throw new Error('no pick')
    expect(picked.value).toEqual([{ token: expect.stringMatching(/^[0-9a-f]{32}$/), name: 'params-not-a-list.ndjson' }])
    const token = picked.value[0]?.token ?? ''
    // The token reached the file (its line is named); the value DuckDB quoted did not come along.
    const error = await importing(desktop, [token])
    expect(error).toContain(join(outside, 'params-not-a-list.ndjson'))
    expect(error).toMatch(/line 1/)
    expect(error).not.toContain(SECRET)
    expect(await importing(desktop, [token])).toMatch(/^Only files chosen in the file dialog/)
    expect(await importing(desktop, ['0'.repeat(32)])).toMatch(/^Only files chosen in the file dialog/)
    expect(await desktop.handlers['warehouse:chooseFiles']({})).toEqual({ ok: true, value: null })
  })

  it('refuses paths outside the bridge import folder before looking at the disk, links and ../ included', async () => {
    const refusal = await importing(bridge, [join(outside, 'private.ndjson')])
    expect(refusal).toBe(
      `Only files inside the import folder ${root} can be imported here: copy them there, or use \`npx attribution import\`.`,
    )
    expect(await importing(bridge, [join(outside, 'no-such-file.ndjson')])).toBe(refusal)
    expect(await importing(bridge, ['../../outside/private.ndjson'])).toBe(refusal)
    expect(await importing(bridge, [join(root, '..', 'warehouse.duckdb')])).toBe(refusal)
    expect(await importing(bridge, ['/etc/passwd'])).toBe(refusal)
    expect(await importing(bridge, ['link-out.ndjson'])).toBe(refusal)
    expect(await importing(bridge, ['folder'])).toMatch(/is not a file/)
    expect(await importing(bridge, ['absent.ndjson'])).toMatch(/^There is no file absent\.ndjson in the import folder/)
  })

  it('never quotes the values of a file it could not import, by path in the bridge or from the dialog', async () => {
    for (const name of Object.keys(BAD_FILES)) {
      const error = await importing(bridge, [name])
      expect(error, error).toContain(join(root, name))
      expect(error, error).not.toContain(SECRET)
      chosen.push([join(outside, name)])
      const viaDialog = await desktop.handlers['warehouse:chooseAndImport']({})
      expect(viaDialog.ok).toBe(false)
      if (!viaDialog.ok) expect(viaDialog.error, viaDialog.error).not.toContain(SECRET)
    }
  })
})

describe('withoutQuotedValues', () => {
  it.each([
    [
      'Expected ARRAY, but got VARCHAR: "=cmd|\' /C calc\'!A0". Nothing was imported.',
      'Expected ARRAY, but got VARCHAR: "…". Nothing was imported.',
    ],
    ['Failed to cast value to numerical: "abc\\"def"', 'Failed to cast value to numerical: "…"'],
    ["Could not convert string 'hunter2' to INT64", "Could not convert string '…' to INT64"],
    ['Could not cast value nan to DECIMAL(18,2)', 'Could not cast value … to DECIMAL(18,2)'],
    ['got VARCHAR: "cut off', 'got VARCHAR: "…"'],
    ["the file's line 3: event_name is missing", "the file's line 3: event_name is missing"],
  ])('%s', (message, expected) => {
    expect(withoutQuotedValues(message)).toBe(expected)
  })

  it('keeps the file path it is told to keep, quoted or not', () => {
    const path = '/home/o\'neil/GA4 "exports"/day.ndjson'
    expect(
      withoutQuotedValues(`${path} cannot be imported: JSON transform error in file "${path}", in line 1: got VARCHAR: "x"`, [path]),
    ).toBe(`${path} cannot be imported: JSON transform error in file "${path}", in line 1: got VARCHAR: "…"`)
  })
})
