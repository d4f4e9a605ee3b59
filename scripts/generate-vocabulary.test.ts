import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { dbtProjectDir, projectRoot } from '../src/main/paths'
import { type DbtVocabulary, VOCABULARY_MODULE, readDbtVocabulary, renderVocabularyModule } from './generate-vocabulary'

describe('src/shared/generated/vocabulary.ts', () => {
  let vocabulary: DbtVocabulary
  beforeAll(() => {
    vocabulary = readDbtVocabulary(dbtProjectDir())
  })

  it('is what dbt generates today (run `npm run generate:vocabulary` after changing the models, bounds or channel_groups)', async () => {
    expect(vocabulary.models.map((model) => model.id)).toContain('first_click')
    expect(vocabulary.channel_groups).toHaveLength(19)
    const checkedIn = readFileSync(join(projectRoot(), VOCABULARY_MODULE), 'utf8')
    expect(checkedIn).toBe(await renderVocabularyModule(vocabulary))
  })

  it('changes with dbt: another channel colour gives another module', async () => {
    const changed = {
      ...vocabulary,
      channel_groups: vocabulary.channel_groups.map((group) => (group.name === 'Email' ? { ...group, colour: '#000000' } : group)),
    }
    expect(await renderVocabularyModule(changed)).not.toBe(await renderVocabularyModule(vocabulary))
    expect(await renderVocabularyModule(changed)).toContain("colour: '#000000'")
  })
})
