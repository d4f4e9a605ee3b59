import type { Rng } from './rng'

const MICROS_PER_HOUR = 3_600_000_000
const MICROS_PER_DAY = 24 * MICROS_PER_HOUR

/** Relative traffic by UTC hour: the store's visitors are mostly in the Americas and Europe. */
const HOUR_WEIGHTS: ReadonlyArray<readonly [hour: number, weight: number]> = [
  3, 2.5, 2, 1.6, 1.3, 1.1, 1, 1.2, 1.6, 2, 2.4, 2.7, 3, 3.3, 3.6, 3.9, 4.1, 4.2, 4.1, 4, 3.9, 3.8, 3.6, 3.3,
].map((weight, hour) => [hour, weight] as const)

/** How many sessions a visitor will have if the window allows: most one, a long tail of regulars. */
function plannedSessionCount(rng: Rng): number {
  return rng.weighted([
    [1, 66],
    [2, 15],
    [3, 7],
    [4, 4],
    [5, 3],
    [6, 2],
    [8, 1.5],
    [12, 1],
    [20, 0.5],
  ])
}

/** Time until the next session: the same evening, a few days later, or weeks later. */
function gapMicros(rng: Rng): number {
  const roll = rng.next()
  if (roll < 0.3) return (0.5 + rng.next() * 8) * MICROS_PER_HOUR
  if (roll < 0.75) return (1 + rng.next() * 6) * MICROS_PER_DAY
  return (7 + rng.next() * 28) * MICROS_PER_DAY
}

/** A random moment of a UTC day, following the daily traffic curve; microseconds after midnight. */
export function timeOfDayMicros(rng: Rng): number {
  const hour = rng.weighted(HOUR_WEIGHTS)
  return Math.floor((hour + rng.next()) * MICROS_PER_HOUR)
}

/** Start times of a visitor's sessions, the first at `firstSeenAtMicros`, all before `endBeforeMicros`. */
export function planSessionStarts(rng: Rng, firstSeenAtMicros: number, endBeforeMicros: number): number[] {
  const count = plannedSessionCount(rng)
  const starts = [firstSeenAtMicros]
  let at = firstSeenAtMicros
  for (let i = 1; i < count; i++) {
    at = Math.floor(at + gapMicros(rng))
    if (at >= endBeforeMicros) break
    starts.push(at)
  }
  return starts
}
