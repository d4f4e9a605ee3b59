import {
  type ApiChannel,
  type ApiEvents,
  type ApiResponse,
  type JobProgress,
  type MartsChanged,
  type RendererApi,
  rendererMethods,
} from '@shared/api'
import type { Result } from '@shared/attribution'

/** What the renderer shows when the browser bridge cannot be reached. */
export const UNREACHABLE_MESSAGE = "The app's service is not reachable. Check that it is still running (npm run serve), then retry."

/** The part of EventSource the twin needs, so tests can hand in a fake. */
export interface EventSourceLike {
  addEventListener(type: string, listener: (event: MessageEvent) => void): void
  close(): void
}

/** Transport seams of the HTTP twin; the defaults are the browser's own. */
export interface HttpApiOptions {
  /** Prefix for `/api/...`; empty means the page's own origin. */
  baseUrl?: string
  fetch?: typeof fetch
  openEventSource?: (url: string) => EventSourceLike
}

/** True when a parsed body has the shape of a Result. */
function isResult(body: unknown): body is Result<unknown> {
  if (typeof body !== 'object' || body === null || !('ok' in body)) return false
  if (body.ok === true) return 'value' in body
  return body.ok === false && 'error' in body && typeof body.error === 'string'
}

/** True when pushed data has the shape of JobProgress. */
function isJobProgress(data: unknown): data is JobProgress {
  if (typeof data !== 'object' || data === null) return false
  const raw = data as Record<string, unknown>
  return (
    (raw.job === 'generate' || raw.job === 'import' || raw.job === 'build') &&
    typeof raw.phase === 'string' &&
    typeof raw.message === 'string' &&
    (raw.percent === undefined || typeof raw.percent === 'number')
  )
}

/** True when pushed data has the shape of MartsChanged. */
function isMartsChanged(data: unknown): data is MartsChanged {
  return typeof data === 'object' && data !== null && typeof (data as Record<string, unknown>).changedAt === 'string'
}

/** The check each pushed event's data passes before listeners see it. */
const EVENT_GUARDS: { [E in keyof ApiEvents]: (data: unknown) => data is ApiEvents[E] } = {
  'job:progress': isJobProgress,
  'marts:changed': isMartsChanged,
}

/**
 * The browser twin of the preload: `POST /api/<channel>` with the request as JSON, answering a Result;
 * pushed events (job progress, marts changed) arrive as Server-Sent Events on `GET /api/events`.
 */
export function createHttpApi(options: HttpApiOptions = {}): RendererApi {
  const baseUrl = options.baseUrl ?? ''
  const fetchFn = options.fetch ?? ((input, init) => fetch(input, init))
  const openEventSource =
    options.openEventSource ?? (typeof EventSource === 'undefined' ? undefined : (url: string) => new EventSource(url))

  async function post(channel: ApiChannel, request: unknown): Promise<Result<unknown>> {
    let response: Response
    try {
      response = await fetchFn(`${baseUrl}/api/${channel}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
      })
    } catch {
      return { ok: false, error: UNREACHABLE_MESSAGE }
    }
    // The bridge answers domain errors with 200 too, so anything else means the service itself failed.
    if (response.status !== 200) return { ok: false, error: `${UNREACHABLE_MESSAGE} (HTTP ${response.status})` }
    let body: unknown
    try {
      body = await response.json()
    } catch {
      return { ok: false, error: `${UNREACHABLE_MESSAGE} (the answer was not JSON)` }
    }
    return isResult(body) ? body : { ok: false, error: `${UNREACHABLE_MESSAGE} (the answer was not a result)` }
  }

  const listeners: { [E in keyof ApiEvents]: Set<(data: ApiEvents[E]) => void> } = {
    'job:progress': new Set(),
    'marts:changed': new Set(),
  }
  let source: EventSourceLike | undefined
  const listenerCount = () => Object.values(listeners).reduce((sum, set) => sum + set.size, 0)

  /** Hands one event's parsed, checked data to its listeners. */
  function dispatch<E extends keyof ApiEvents>(name: E, event: MessageEvent): void {
    let data: unknown
    try {
      data = JSON.parse(String(event.data))
    } catch {
      return
    }
    if (EVENT_GUARDS[name](data)) for (const each of listeners[name]) each(data)
  }

  /** Adds a listener; one stream serves every listener of every event, opened on first use and closed when the last one leaves. */
  function listen<E extends keyof ApiEvents>(name: E, listener: (data: ApiEvents[E]) => void): () => void {
    listeners[name].add(listener)
    if (!source && openEventSource) {
      const opened = openEventSource(`${baseUrl}/api/events`)
      for (const each of Object.keys(listeners) as Array<keyof ApiEvents>) opened.addEventListener(each, (event) => dispatch(each, event))
      source = opened
    }
    return () => {
      listeners[name].delete(listener)
      if (listenerCount() === 0 && source) {
        source.close()
        source = undefined
      }
    }
  }

  // The bridge answers every channel with its contract's Result (checked above to be one), so the cast only restores its type.
  return {
    ...rendererMethods((channel, request) => post(channel, request) as Promise<ApiResponse<typeof channel>>),
    onJobProgress: (listener: (progress: JobProgress) => void) => listen('job:progress', listener),
    onMartsChanged: (listener: (change: MartsChanged) => void) => listen('marts:changed', listener),
  }
}
