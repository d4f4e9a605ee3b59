import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { dbtPythonScript } from './dbt/dbt-children'
import { dbtProjectDir, packagedResource, projectRoot, requirementsLockPath } from './paths'
import { makeTempDir } from './testing/fixtures'

const processWithResources = process as { resourcesPath?: string }

describe('paths in a packaged app', () => {
  const temp = makeTempDir('resources')
  afterEach(() => {
    delete processWithResources.resourcesPath
  })

  it('finds the dbt project, the lock file and the Python scripts beside the app, not inside app.asar', () => {
    const resources = join(temp.dir, 'resources')
    mkdirSync(join(resources, 'dbt_attribution'), { recursive: true })
    for (const name of ['requirements.lock', 'dbt_worker.py', 'dbt_guard.py']) writeFileSync(join(resources, name), '')
    processWithResources.resourcesPath = resources
    expect(dbtProjectDir()).toBe(join(resources, 'dbt_attribution'))
    expect(requirementsLockPath()).toBe(join(resources, 'requirements.lock'))
    expect(dbtPythonScript('dbt_worker.py')).toBe(join(resources, 'dbt_worker.py'))
    expect(dbtPythonScript('dbt_guard.py')).toBe(join(resources, 'dbt_guard.py'))
  })

  it('uses the repository in development, where resourcesPath lacks them', () => {
    processWithResources.resourcesPath = join(temp.dir, 'empty')
    expect(packagedResource('dbt_attribution')).toBeUndefined()
    expect(dbtProjectDir()).toBe(process.env.ATTRIBUTION_DBT_PROJECT_DIR ?? join(projectRoot(), 'dbt_attribution'))
    expect(requirementsLockPath()).toBe(join(projectRoot(), 'requirements.lock'))
    expect(dbtPythonScript('dbt_worker.py')).toBe(join(projectRoot(), 'src', 'main', 'dbt', 'dbt_worker.py'))
  })
})
