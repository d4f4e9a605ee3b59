import { dateProblem } from '@shared/attribution'
import { GENERATOR_SCALES } from '../generator'
import { UserFacingError } from '../errors'
import { type SampleDataProgress, todayUtc, generateSampleData } from '../services/sample-data'
import type { EmbeddedWarehouse } from '../warehouse/embedded-warehouse'
import { wholeNumberFlag } from './flags'
import { createProgressPrinter, progressBar } from './progress'

const MAX_USERS = 10_000_000
const MAX_DAYS = 3_650

/** The flags `generate` reads, as parseArgs gives them. */
export interface GenerateFlags {
  scale?: string
  seed?: string
  users?: string
  days?: string
  'end-date'?: string
}

/** `attribution generate`: sample events into the warehouse, with progress on stderr. */
export async function runGenerate(warehouse: EmbeddedWarehouse, values: GenerateFlags): Promise<void> {
  const scaleName = values.scale ?? 'default'
  if (!(scaleName in GENERATOR_SCALES)) throw new UserFacingError(`Unknown scale "${scaleName}": use default or ga4.`)
  const scale = GENERATOR_SCALES[scaleName as keyof typeof GENERATOR_SCALES]
  const seed = wholeNumberFlag('--seed', values.seed, 1, 0, 2 ** 31 - 1)
  const users = wholeNumberFlag('--users', values.users, scale.users, 1, MAX_USERS)
  const days = wholeNumberFlag('--days', values.days, scale.days, 1, MAX_DAYS)
  const endDate = values['end-date'] ?? todayUtc()
  const endDateProblem = dateProblem('--end-date', endDate)
  if (endDateProblem) throw new UserFacingError(endDateProblem)
  const printer = createProgressPrinter()
  const started = Date.now()
  const result = await generateSampleData(warehouse, {
    seed,
    users,
    days,
    endDate,
    onProgress: (progress: SampleDataProgress) =>
      printer.update(
        `${progress.phase === 'generating' ? 'Generating' : 'Importing '} ${progressBar((progress.doneUsers / progress.totalUsers) * 100)} ` +
          `${progress.doneUsers.toLocaleString('en-US')} of ${progress.totalUsers.toLocaleString('en-US')} users, ` +
          `${progress.events.toLocaleString('en-US')} events`,
      ),
  })
  printer.done()
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  process.stderr.write(
    result.hasAddedEvents
      ? `Generated ${result.events.toLocaleString('en-US')} events of ${users.toLocaleString('en-US')} users over ${days} days to ${endDate} (seed ${seed}) in ${seconds} s\n`
      : `These sample events (seed ${seed}, ${days} days to ${endDate}) are already in the warehouse: nothing added.\n`,
  )
  process.stderr.write(`Sample ad spend: ${result.spendRows.toLocaleString('en-US')} days of paid campaigns (generator/spend.ts).\n`)
}
