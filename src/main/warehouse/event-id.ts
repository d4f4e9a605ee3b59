import { isRecord } from '@shared/is-record'

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
