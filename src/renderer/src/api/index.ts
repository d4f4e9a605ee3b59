import type { RendererApi } from '@shared/api'
import { createHttpApi } from './http-api'

/** The API the renderer talks to: the preload's bridge inside Electron, else the HTTP twin of the browser bridge. */
export const api: RendererApi = (typeof window !== 'undefined' && window.api) || createHttpApi()

/** True inside the desktop app; false in the browser preview, which has no native dialogs. */
export const isDesktopApp = typeof window !== 'undefined' && window.api !== undefined

let replacement: RendererApi | undefined

/** The API stores and components call; a seam so tests can hand in a fake. */
export function useApi(): RendererApi {
  return replacement ?? api
}

/** Replaces the API for tests or previews; `undefined` restores the real one. */
export function provideApi(fake: RendererApi | undefined): void {
  replacement = fake
}

export { UNREACHABLE_MESSAGE } from './http-api'
