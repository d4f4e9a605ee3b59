/**
 * The vocabulary dbt owns (models, lookback bounds, time-decay half-life, channel groups and their
 * colours), read from the dbt project and written as src/shared/generated/vocabulary.ts, so
 * TypeScript spells none of it by hand (`npm run generate:vocabulary`; generate-vocabulary.test.ts fails
 * when the checked-in module and dbt drift).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as prettier from 'prettier'
import { dbtExecutable, dbtProjectDir, projectRoot } from '../src/main/paths'

/** What `dbt run-operation print_attribution_vocabulary` prints, plus the seed channel_groups. */
export interface DbtVocabulary {
  models: Array<{ id: string; name: string | null; description: string; is_rule_based: boolean }>
  lookback_days: { min: number; max: number; default: number }
  time_decay_half_life_days: number
  channel_groups: Array<{ name: string; colour: string }>
}

/** The module's path inside the repository. */
export const VOCABULARY_MODULE = join('src', 'shared', 'generated', 'vocabulary.ts')

/** The seed channel_groups.csv as rows in sort_order (names and colours hold no commas or quotes). */
export function readChannelGroups(projectDir: string): DbtVocabulary['channel_groups'] {
  const [header = '', ...lines] = readFileSync(join(projectDir, 'seeds', 'channel_groups.csv'), 'utf8')
    .trim()
    .split(/\r?\n/)
  const columns = header.split(',')
  const at = (name: string) => columns.indexOf(name)
  return lines
    .map((line) => line.split(','))
    .map((cells) => ({
      name: cells[at('channel_group')] ?? '',
      order: Number(cells[at('sort_order')]),
      colour: cells[at('colour_hex')] ?? '',
    }))
    .sort((a, b) => a.order - b.order)
    .map(({ name, colour }) => ({ name, colour }))
}

/** Runs dbt's macro attribution_vocabulary (in a throwaway target, no warehouse read) and reads the seed. */
export function readDbtVocabulary(projectDir: string): DbtVocabulary {
  const scratch = mkdtempSync(join(tmpdir(), 'attribution-vocabulary-'))
  try {
    const run = spawnSync(
      dbtExecutable(),
      ['--quiet', 'run-operation', 'print_attribution_vocabulary', '--project-dir', projectDir, '--profiles-dir', projectDir].concat([
        '--target-path',
        join(scratch, 'target'),
        '--log-path',
        join(scratch, 'logs'),
      ]),
      {
        env: {
          ...process.env,
          ATTRIBUTION_DBT_TARGET: 'duckdb',
          ATTRIBUTION_WAREHOUSE: join(scratch, 'scratch.duckdb'),
          DBT_SEND_ANONYMOUS_USAGE_STATS: 'false',
        },
        encoding: 'utf8',
      },
    )
    const line = run.stdout.split('\n').find((text) => text.startsWith('{'))
    if (run.status !== 0 || !line) throw new Error(`dbt run-operation print_attribution_vocabulary failed:\n${run.stdout}\n${run.stderr}`)
    return { ...(JSON.parse(line) as Omit<DbtVocabulary, 'channel_groups'>), channel_groups: readChannelGroups(projectDir) }
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

/** The TypeScript module for a vocabulary, formatted as Prettier leaves it: the same text for the same vocabulary. */
export async function renderVocabularyModule(vocabulary: DbtVocabulary): Promise<string> {
  const json = (value: unknown) => JSON.stringify(value, null, 2).replace(/"([a-z_]+)":/g, '$1:')
  const models = vocabulary.models.map((model) => ({
    id: model.id,
    name: model.name,
    description: model.description,
    isRuleBased: model.is_rule_based,
  }))
  const text = `// Generated from dbt_attribution by \`npm run generate:vocabulary\` (scripts/generate-vocabulary.ts): do not edit.
// Models: macro attribution_models(); lookback bounds: min/max/default_lookback_days(); channel
// groups: seed channel_groups.csv. scripts/generate-vocabulary.test.ts fails when this and dbt drift.

/** Every attribution model dbt defines, in the app's order; the descriptions at the default vars. */
export const GENERATED_ATTRIBUTION_MODELS = ${json(models)} as const

/** The lookback window's bounds and default, in days. */
export const GENERATED_LOOKBACK_DAYS = ${json(vocabulary.lookback_days)} as const

/** Time decay's half-life at the default var time_decay_half_life_days, in days. */
export const GENERATED_TIME_DECAY_HALF_LIFE_DAYS = ${vocabulary.time_decay_half_life_days}

/** GA4's default channel groups in GA4's order, each with its colour in the app. */
export const GENERATED_CHANNEL_GROUPS = ${json(vocabulary.channel_groups)} as const
`
  const target = join(projectRoot(), VOCABULARY_MODULE)
  return prettier.format(text, { ...(await prettier.resolveConfig(target)), filepath: target })
}

/** Writes the module from the dbt project beside the app. */
async function main(): Promise<void> {
  const target = join(projectRoot(), VOCABULARY_MODULE)
  writeFileSync(target, await renderVocabularyModule(readDbtVocabulary(dbtProjectDir())))
  console.log(`Wrote ${target}`)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main()
