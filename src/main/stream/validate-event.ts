/** Longest event id accepted; ids are short generated strings. */
const MAX_EVENT_ID_LENGTH = 200
const MAX_TIMESTAMP_MICROS = 4_102_444_800_000_000 // 2100-01-01

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The `event_id` string param of an event, if it has one. */
export function eventIdOf(event: unknown): string | undefined {
  if (!isRecord(event) || !Array.isArray(event.event_params)) return undefined
  for (const param of event.event_params as unknown[]) {
    if (isRecord(param) && param.key === 'event_id' && isRecord(param.value) && typeof param.value.string_value === 'string') {
      return param.value.string_value
    }
  }
  return undefined
}

/** Why a streamed event cannot be stored, or undefined when it can. */
export function validateStreamEvent(event: unknown): string | undefined {
  if (!isRecord(event)) return 'not an object'
  if (typeof event.event_name !== 'string' || event.event_name === '') return 'event_name is missing'
  if (typeof event.event_timestamp !== 'number' || !Number.isSafeInteger(event.event_timestamp) || event.event_timestamp <= 0) {
    return 'event_timestamp must be a positive whole number of microseconds'
  }
  if (event.event_timestamp > MAX_TIMESTAMP_MICROS) return 'event_timestamp is in a later century: microseconds expected'
  if (typeof event.event_date !== 'string' || !/^\d{8}$/.test(event.event_date)) return 'event_date must be YYYYMMDD'
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
