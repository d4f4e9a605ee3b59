/**
 * What an event must hold to be stored: the importer and the streamer refuse anything else at the
 * door, naming the file and row (or keeping the streamed event in rejected/ with the reason). The
 * same bounds are dbt's (macros/ga4/usable_events.sql), where staging sets aside rows that reached
 * the raw tables another way; event-bounds.test.ts checks the two agree.
 */

/** Largest revenue or event value in USD, either sign (dbt: max_amount_usd). */
export const MAX_AMOUNT_USD = 1e12

/** The first day an event may have; GA4 did not exist before (dbt: first_event_date). */
export const FIRST_EVENT_DATE = '2015-01-01'

/** Days after now an event may have: senders' clocks run a little ahead (dbt: future_event_days). */
export const FUTURE_EVENT_DAYS = 1

const MICROS_PER_DAY = 86_400_000_000

/** The first and last event_timestamp (microseconds) an event may have at `nowMs`. */
export function eventTimestampBoundsMicros(nowMs = Date.now()): { first: number; last: number } {
  return { first: Date.parse(`${FIRST_EVENT_DATE}T00:00:00Z`) * 1000, last: nowMs * 1000 + FUTURE_EVENT_DAYS * MICROS_PER_DAY }
}

/** The bounds as a person reads them, for messages. */
export function eventTimestampRangeText(nowMs = Date.now()): string {
  const last = new Date(eventTimestampBoundsMicros(nowMs).last / 1000).toISOString().slice(0, 10)
  return `${FIRST_EVENT_DATE} .. ${last}`
}

/** Why an amount in USD cannot be stored, or undefined when it can (`mayBeNegative` only for refunds' revenue). */
export function amountProblem(name: string, amount: unknown, mayBeNegative: boolean): string | undefined {
  if (amount === null || amount === undefined) return undefined
  if (typeof amount !== 'number' || !Number.isFinite(amount)) return `${name} is not a finite number`
  if (Math.abs(amount) > MAX_AMOUNT_USD) return `${name} is beyond ${MAX_AMOUNT_USD.toExponential()} USD`
  if (amount < 0 && !mayBeNegative) return `${name} is negative, which only a refund's may be`
  return undefined
}

/** Why an event's timestamp (microseconds) and `event_date` (YYYYMMDD) cannot be stored, or undefined. */
export function timestampProblem(eventTimestamp: number, eventDate: string, nowMs = Date.now()): string | undefined {
  const { first, last } = eventTimestampBoundsMicros(nowMs)
  if (eventTimestamp < first || eventTimestamp > last) {
    return `event_timestamp is outside ${eventTimestampRangeText(nowMs)} (microseconds since 1970 expected; milliseconds read as 1970)`
  }
  const date = Date.parse(`${eventDate.slice(0, 4)}-${eventDate.slice(4, 6)}-${eventDate.slice(6, 8)}T00:00:00Z`)
  if (Number.isFinite(date) && Math.abs(date / 86_400_000 - Math.floor(eventTimestamp / MICROS_PER_DAY)) > 1) {
    return "event_date is more than a day from event_timestamp's date"
  }
  return undefined
}

/**
 * The same checks as SQL over an export row's columns (those in `present`; absent optional ones
 * are NULL anyway): NULL when the row is fine, else the first problem.
 */
export function rowBoundsProblemSql(present: ReadonlySet<string>, nowMs = Date.now()): string[] {
  const { first, last } = eventTimestampBoundsMicros(nowMs)
  const range = eventTimestampRangeText(nowMs)
  const whens = [
    `when event_timestamp < ${first} or event_timestamp > ${last} then 'event_timestamp is outside ${range} (microseconds since 1970 expected; milliseconds read as 1970)'`,
    // Day numbers by arithmetic: a timestamp function would throw on the absurd values this catches.
    `when abs((cast(try_strptime(event_date, '%Y%m%d') as date) - date '1970-01-01') - floor(event_timestamp / ${MICROS_PER_DAY})) > 1
      then 'event_date is more than a day from event_timestamp''s date'`,
  ]
  const amount = (column: string, name: string, negative: string) => [
    `when not isfinite(${column}) then '${name} is not a finite number'`,
    `when abs(${column}) > ${MAX_AMOUNT_USD} then '${name} is beyond ${MAX_AMOUNT_USD.toExponential()} USD'`,
    ...(negative ? [`when ${column} < 0 and ${negative} then '${name} is negative, which only a refund''s may be'`] : []),
  ]
  if (present.has('ecommerce'))
    whens.push(...amount('ecommerce.purchase_revenue_in_usd', 'ecommerce.purchase_revenue_in_usd', "event_name <> 'refund'"))
  if (present.has('event_value_in_usd')) whens.push(...amount('event_value_in_usd', 'event_value_in_usd', ''))
  return whens
}
