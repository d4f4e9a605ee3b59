import { type ApiChannel, type ApiResponse, type JobProgress, type RendererApi, rendererMethods } from '@shared/api'
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

/**
 * The browser twin of the preload: `POST /api/<channel>` with the request as JSON, answering a Result;
 * job progress arrives as Server-Sent Events on `GET /api/events`.
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

  const listeners = new Set<(progress: JobProgress) => void>()
  let source: EventSourceLike | undefined

  // The bridge answers every channel with its contract's Result (checked above to be one), so the cast only restores its type.
  return {
    ...rendererMethods((channel, request) => post(channel, request) as Promise<ApiResponse<typeof channel>>),
    onJobProgress(listener) {
      listeners.add(listener)
      // One stream serves every listener, opened on first use and closed when the last one leaves.
      if (!source && openEventSource) {
        source = openEventSource(`${baseUrl}/api/events`)
        source.addEventListener('job:progress', (event) => {
          let data: unknown
          try {
            data = JSON.parse(String(event.data))
          } catch {
            return
          }
          if (isJobProgress(data)) for (const each of listeners) each(data)
        })
      }
      return () => {
        listeners.delete(listener)
        if (listeners.size === 0 && source) {
          source.close()
          source = undefined
        }
      }
    },
  }
}
