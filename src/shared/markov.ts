/**
 * Data-driven attribution: a first-order Markov chain over channel paths. Removal effects are solved
 * exactly as absorbing-chain probabilities (linear algebra, no simulation), so the same input always
 * gives the same numbers.
 */

/** The state every path starts in. */
export const START_STATE = '(start)'
/** Absorbing state: the path ended in a conversion. */
export const CONVERSION_STATE = '(conversion)'
/** Absorbing state: the path ended without a conversion. */
export const NULL_STATE = '(null)'

/** One aggregated transition count between two states (channel names, or the three special states). */
export interface MarkovTransition {
  from: string
  to: string
  count: number
}

/** The solved chain: how likely a path converts, and how much each channel carries of that. */
export interface MarkovSolution {
  /** Channels seen in the transitions, sorted by name. */
  channels: string[]
  /** Probability of reaching (conversion) from (start) in the full chain. */
  conversionProbability: number
  /** Per channel: 1 - P(conversion | channel removed) / P(conversion). 0 when the chain never converts. */
  removalEffects: Record<string, number>
  /** Per channel: removalEffect / sum of removal effects (sums to 1 when any effect > 0; all 0 otherwise). */
  shares: Record<string, number>
}

/** One outgoing probability; `to` indexes the transient states, then (conversion), then (null). */
interface Edge {
  to: number
  probability: number
}

/**
 * Solves the chain and every channel's removal effect. Counts <= 0 are ignored; a negative or
 * non-finite count throws. A state with no outgoing transitions goes to (null).
 */
export function solveMarkov(transitions: readonly MarkovTransition[]): MarkovSolution {
  const counts = aggregateCounts(transitions)
  const names = new Set([...counts.keys(), ...[...counts.values()].flatMap((row) => [...row.keys()])])
  const channels = [...names].filter((name) => !SPECIAL_STATES.has(name)).sort(compareNames)
  const states = [START_STATE, ...channels]
  const conversion = states.length
  const index = new Map<string, number>(states.map((state, i) => [state, i]))
  index.set(CONVERSION_STATE, conversion)
  const indexOf = (name: string): number => index.get(name) ?? conversion + 1
  const edges = states.map((state) => edgesOf(counts.get(state), indexOf))

  const conversionProbability = absorptionProbability(edges, conversion)
  const removalEffects = Object.fromEntries(
    channels.map((channel, i) => {
      if (conversionProbability === 0) return [channel, 0]
      // Clamped: float noise must not make an effect slightly negative or slightly above 1.
      return [channel, clamp01(1 - absorptionProbability(edges, conversion, i + 1) / conversionProbability)]
    }),
  ) as Record<string, number>
  const totalEffect = channels.reduce((sum, channel) => sum + (removalEffects[channel] ?? 0), 0)
  const shares = Object.fromEntries(
    channels.map((channel) => [channel, totalEffect > 0 ? (removalEffects[channel] ?? 0) / totalEffect : 0]),
  ) as Record<string, number>
  return { channels, conversionProbability, removalEffects, shares }
}

/**
 * Splits `total` integer units (bigint: e.g. 1_000_000 units per conversion, or cents) over keys in proportion
 * to weights with the largest-remainder rule: each key gets floor(total*w/sum w); the units left over go one each
 * to the largest fractional remainders, ties broken by the order of `weights` (earlier first). Result sums to total exactly.
 * Zero or negative total weight: everything to `fallbackKey`. Negative weights count as 0; non-finite weights throw.
 * A negative total is split as its magnitude and negated, so refunds mirror sales.
 */
export function apportion(
  total: bigint,
  weights: ReadonlyArray<{ key: string; weight: number }>,
  fallbackKey: string,
): Map<string, bigint> {
  for (const { key, weight } of weights) {
    if (!Number.isFinite(weight)) throw new Error(`Weight of "${key}" is ${weight}: weights must be finite numbers.`)
  }
  const result = new Map<string, bigint>(weights.map(({ key }) => [key, 0n]))
  const exact = toCommonScale(weights.map(({ weight }) => Math.max(0, weight)))
  const weightSum = exact.reduce((sum, weight) => sum + weight, 0n)
  if (weightSum === 0n) return result.set(fallbackKey, (result.get(fallbackKey) ?? 0n) + total)

  const sign = total < 0n ? -1n : 1n
  const magnitude = total * sign
  const numerators = exact.map((weight) => magnitude * weight)
  const units = numerators.map((numerator) => numerator / weightSum)
  const leftover = Number(magnitude - units.reduce((sum, unit) => sum + unit, 0n))
  const byRemainder = numerators
    .map((numerator, i) => ({ i, remainder: numerator % weightSum }))
    .sort((a, b) => (a.remainder === b.remainder ? a.i - b.i : a.remainder > b.remainder ? -1 : 1))
  for (const { i } of byRemainder.slice(0, leftover)) units[i] = (units[i] ?? 0n) + 1n
  weights.forEach(({ key }, i) => result.set(key, (result.get(key) ?? 0n) + sign * (units[i] ?? 0n)))
  return result
}

const SPECIAL_STATES = new Set([START_STATE, CONVERSION_STATE, NULL_STATE])

/** Code-unit order, so the result does not depend on the machine's locale. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value))
}

/** Counts summed per state pair, inserted in name order so float sums do not depend on input order. */
function aggregateCounts(transitions: readonly MarkovTransition[]): Map<string, Map<string, number>> {
  for (const { from, to, count } of transitions) {
    if (!Number.isFinite(count) || count < 0) {
      throw new Error(`Markov transition ${from} -> ${to} has count ${count}: counts must be finite and not negative.`)
    }
  }
  // Transitions out of an absorbing state cannot happen in the chain, so they are dropped.
  const kept = transitions
    .filter(({ from, count }) => count > 0 && from !== CONVERSION_STATE && from !== NULL_STATE)
    .sort((a, b) => compareNames(a.from, b.from) || compareNames(a.to, b.to) || a.count - b.count)
  const counts = new Map<string, Map<string, number>>()
  for (const { from, to, count } of kept) {
    const row = counts.get(from) ?? new Map<string, number>()
    counts.set(from, row.set(to, (row.get(to) ?? 0) + count))
  }
  return counts
}

function edgesOf(row: Map<string, number> | undefined, indexOf: (name: string) => number): Edge[] {
  if (!row) return []
  const total = [...row.values()].reduce((sum, count) => sum + count, 0)
  return [...row].map(([to, count]) => ({ to: indexOf(to), probability: count / total }))
}

/** P(absorbed in (conversion) | start), with the state `removed` (if given) turned into an absorbing null. */
function absorptionProbability(edges: readonly Edge[][], conversion: number, removed?: number): number {
  const next = (state: number): readonly Edge[] => (state === removed ? [] : (edges[state] ?? []))
  // Only states reachable from start that can still convert enter the system: every other state has
  // probability 0, and leaving them out keeps I - Q invertible (closed loops) and exact zeros exact.
  const reached = new Set([0])
  for (const state of reached) for (const { to } of next(state)) if (to < conversion) reached.add(to)
  const converts = new Set([conversion])
  for (let grew = true; grew;) {
    grew = false
    for (const state of reached) {
      if (converts.has(state) || !next(state).some(({ to }) => converts.has(to))) continue
      converts.add(state)
      grew = true
    }
  }
  const live = [...reached].filter((state) => converts.has(state)).sort((a, b) => a - b)
  if (live[0] !== 0) return 0

  // (I - Q) x = r as augmented rows; live[0] is start, so x[0] is the answer.
  const position = new Map(live.map((state, i) => [state, i]))
  const system = live.map((state, i) => {
    const row = new Array<number>(live.length + 1).fill(0)
    row[i] = 1
    for (const { to, probability } of next(state)) {
      const column = to === conversion ? live.length : position.get(to)
      if (column === undefined) continue
      row[column] = (row[column] ?? 0) + (column === live.length ? probability : -probability)
    }
    return row
  })
  return clamp01(solveAugmented(system)[0] ?? 0)
}

/** Solves the square system in augmented rows [A | b] by Gaussian elimination with partial pivoting. */
function solveAugmented(rows: number[][]): number[] {
  const n = rows.length
  const at = (row: number, column: number): number => rows[row]?.[column] ?? 0
  for (let column = 0; column < n; column++) {
    let pivot = column
    for (let row = column + 1; row < n; row++) if (Math.abs(at(row, column)) > Math.abs(at(pivot, column))) pivot = row
    const top = rows[pivot] ?? []
    rows[pivot] = rows[column] ?? []
    rows[column] = top
    const lead = top[column] ?? 0
    if (lead === 0) throw new Error('Markov system is singular; the reachability pruning should have prevented this.')
    for (let row = column + 1; row < n; row++) {
      const target = rows[row] ?? []
      const factor = (target[column] ?? 0) / lead
      if (factor !== 0) for (let k = column; k <= n; k++) target[k] = (target[k] ?? 0) - factor * (top[k] ?? 0)
    }
  }
  const x = new Array<number>(n).fill(0)
  for (let row = n - 1; row >= 0; row--) {
    let sum = at(row, n)
    for (let k = row + 1; k < n; k++) sum -= at(row, k) * (x[k] ?? 0)
    x[row] = sum / at(row, row)
  }
  return x
}

/** Non-negative finite doubles as exact bigints over one common power of two (every double is m * 2^e). */
function toCommonScale(values: readonly number[]): bigint[] {
  const dyadic = values.map((value) => {
    let shift = 0
    for (; !Number.isInteger(value); shift++) value *= 2
    return { numerator: BigInt(value), shift }
  })
  const scale = Math.max(0, ...dyadic.map(({ shift }) => shift))
  return dyadic.map(({ numerator, shift }) => numerator << BigInt(scale - shift))
}
