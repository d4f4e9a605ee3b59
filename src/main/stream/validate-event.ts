import { amountProblem, timestampProblem } from '../warehouse/event-bounds'
import { isRecord } from '@shared/is-record'
import { eventIdOf } from '../warehouse/event-id'

/** Longest event id accepted; ids are short generated strings. */
const MAX_EVENT_ID_LENGTH = 200

/** Why a streamed event cannot be stored, or undefined when it can. */
export function validateStreamEvent(event: unknown): string | undefined {
  if (!isRecord(event)) return 'not an object'
  if (typeof event.event_name !== 'string' || event.event_name === '') return 'event_name is missing'
  // Out-of-range whole numbers (year 3000 is past 2^53) get the range's message below.
  if (typeof event.event_timestamp !== 'number' || !Number.isInteger(event.event_timestamp)) {
    return 'event_timestamp must be a positive whole number of microseconds'
  }
  if (typeof event.event_date !== 'string' || !/^\d{8}$/.test(event.event_date)) return 'event_date must be YYYYMMDD'
  // The importer's bounds (event-bounds.ts): 2015-01-01 .. now + 1 day, event_date within a day of it.
  const timeProblem = timestampProblem(event.event_timestamp, event.event_date)
  if (timeProblem) return timeProblem
  const ecommerce = isRecord(event.ecommerce) ? event.ecommerce : {}
  const moneyProblem =
    amountProblem('ecommerce.purchase_revenue_in_usd', ecommerce.purchase_revenue_in_usd, event.event_name === 'refund') ??
    amountProblem('event_value_in_usd', event.event_value_in_usd, true)
  if (moneyProblem) return moneyProblem
  if (!Array.isArray(event.event_params)) return 'event_params must be a list'
  for (const param of event.event_params as unknown[]) {
    if (!isRecord(param) || typeof param.key !== 'string' || !isRecord(param.value)) return 'event_params entries need a key and a value'
  }
  const eventId = eventIdOf(event)
  if (!eventId) return 'event_id param is missing: streamed events need one to be counted once'
  if (eventId.length > MAX_EVENT_ID_LENGTH) return 'event_id is too long'
  if (event.user_pseudo_id !== null && event.user_pseudo_id !== undefined && typeof event.user_pseudo_id !== 'string') {
    return 'user_pseudo_id must be a string'
  }
  return undefined
}
