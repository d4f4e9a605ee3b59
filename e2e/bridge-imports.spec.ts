import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { WAREHOUSES } from './warehouses'

// The browser bridge imports only files inside its import folder (`imports/` beside the warehouse by default),
// and its errors quote nothing a file holds. A refused or failed import stores nothing, so the empty warehouse stays empty.
const URL = `http://127.0.0.1:${WAREHOUSES.empty.port}/`
const IMPORT_ROOT = join(WAREHOUSES.empty.path, '..', 'imports')
const SECRET = 'SECRET-bridge-7d2e'

async function importFiles(
  request: import('@playwright/test').APIRequestContext,
  files: string[],
): Promise<{ ok: boolean; error?: string }> {
  const response = await request.post(`${URL}api/warehouse:importFiles`, { data: { files } })
  return (await response.json()) as { ok: boolean; error?: string }
}

test('the bridge refuses files outside its import folder and quotes no values of a bad file inside it', async ({ request }) => {
  const outside = await importFiles(request, ['/etc/passwd'])
  expect(outside).toEqual({ ok: false, error: expect.stringContaining(`Only files inside the import folder ${IMPORT_ROOT}`) })
  expect(await importFiles(request, ['/etc/no-such-file'])).toEqual(outside)
  expect(await importFiles(request, ['../warehouse.duckdb'])).toEqual(outside)

  mkdirSync(IMPORT_ROOT, { recursive: true })
  const line = {
    event_date: '20210101',
    event_timestamp: 1609459200000000,
    event_name: 'page_view',
    user_pseudo_id: 'u1',
    event_params: SECRET,
  }
  writeFileSync(join(IMPORT_ROOT, 'bad.ndjson'), `${JSON.stringify(line)}\n`)
  const bad = await importFiles(request, ['bad.ndjson'])
  expect(bad.ok).toBe(false)
  expect(bad.error).toContain(join(IMPORT_ROOT, 'bad.ndjson'))
  expect(bad.error).not.toContain(SECRET)

  const status = await (await request.post(`${URL}api/warehouse:status`, { data: {} })).json()
  expect(status).toMatchObject({ ok: true, value: { events: 0 } })
})
