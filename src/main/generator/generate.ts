import type { Ga4Event } from '@shared/ga4-event'
import { planSessionStarts, timeOfDayMicros } from './journey'
import { createRng, deriveSeed } from './rng'
import { generateSession } from './session'
import { createUser } from './user'

/** What to generate; the same options always give the same rows. */
export interface GenerateOptions {
  seed: number
  users: number
  days: number
  /** Last day of data, 'YYYY-MM-DD' (UTC), inclusive; the first day is endDate - days + 1. */
  endDate: string
  /** Index of the first user, so a large run can be generated in chunks that equal one run. */
  firstUser?: number
  /** Drops events after this moment (epoch microseconds): sample data ending today stops at now, not midnight. */
  notAfterMicros?: number
  /** Adds a stable `event_id` param; off for batch exports, which GA4 writes without one. */
  withEventId?: boolean
  /** Called every ~0.5% of users and once at the end. */
  onProgress?: (doneUsers: number, totalUsers: number) => void
}

/** A size preset: how many users over how many days. */
export interface GeneratorScale {
  users: number
  days: number
}

/** Size presets: `default` for the app's demo data, `ga4` about the size of Google's public GA4 sample. */
export const GENERATOR_SCALES = {
  default: { users: 20_000, days: 90 },
  ga4: { users: 270_000, days: 92 },
} as const satisfies Record<string, GeneratorScale>

const MICROS_PER_DAY = 86_400_000_000

/** The generation window in epoch microseconds: [startMicros, endBeforeMicros). */
export function windowOf(options: Pick<GenerateOptions, 'days' | 'endDate'>): { startMicros: number; endBeforeMicros: number } {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(options.endDate)
  const endDayMs = match === null ? Number.NaN : Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))
  if (Number.isNaN(endDayMs) || new Date(endDayMs).toISOString().slice(0, 10) !== options.endDate) {
    throw new Error(`endDate must be a real date as YYYY-MM-DD, got '${options.endDate}'`)
  }
  if (!Number.isInteger(options.days) || options.days < 1) throw new Error(`days must be a positive integer, got ${options.days}`)
  const endBeforeMicros = endDayMs * 1000 + MICROS_PER_DAY
  return { startMicros: endBeforeMicros - options.days * MICROS_PER_DAY, endBeforeMicros }
}

/**
 * Streams GA4 export rows user by user (never holding more than one user's journey), grouped
 * by user and in time order within a user, not globally sorted.
 */
export function* generateEvents(options: GenerateOptions): Generator<Ga4Event> {
  const { startMicros, endBeforeMicros } = windowOf(options)
  const progressEvery = Math.max(1, Math.floor(options.users / 200))
  const firstUser = options.firstUser ?? 0
  for (let offset = 0; offset < options.users; offset++) {
    // One stream per user, so a user's journey does not depend on how many users came before.
    const rng = createRng(deriveSeed(options.seed, firstUser + offset))
    const firstSeenAt = startMicros + rng.int(0, options.days - 1) * MICROS_PER_DAY + timeOfDayMicros(rng)
    const user = createUser(rng, firstSeenAt)
    for (const sessionStart of planSessionStarts(rng, firstSeenAt, endBeforeMicros)) {
      for (const event of generateSession(rng, user, sessionStart, { withEventId: options.withEventId })) {
        // Sessions straddling the end of the window are cut off, as a daily export would be.
        if (
          event.event_timestamp < endBeforeMicros &&
          (options.notAfterMicros === undefined || event.event_timestamp <= options.notAfterMicros)
        )
          yield event
      }
    }
    if ((offset + 1) % progressEvery === 0 || offset + 1 === options.users) options.onProgress?.(offset + 1, options.users)
  }
}
