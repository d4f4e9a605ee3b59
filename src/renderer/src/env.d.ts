import type { RendererApi } from '@shared/api'

declare global {
  interface Window {
    /** Exposed by the preload inside Electron; absent in the browser preview, where the HTTP twin stands in. */
    api?: RendererApi
  }
}

export {}
