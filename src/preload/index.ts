// The preload only bridges: one method per API channel, derived from the shared contract.
import { contextBridge, ipcRenderer } from 'electron'
import { API_CHANNELS, type JobProgress, type RendererApi } from '../shared/api'

const api: Record<string, unknown> = {}
for (const channel of API_CHANNELS) {
  const [domain, verb] = channel.split(':') as [string, string]
  const methods = (api[domain] ??= {}) as Record<string, (request: unknown) => Promise<unknown>>
  methods[verb] = (request: unknown) => ipcRenderer.invoke(channel, request)
}
api.onJobProgress = (listener: (progress: JobProgress) => void) => {
  const wrapped = (_event: unknown, progress: JobProgress) => listener(progress)
  ipcRenderer.on('job:progress', wrapped)
  return () => {
    ipcRenderer.off('job:progress', wrapped)
  }
}

contextBridge.exposeInMainWorld('api', api as RendererApi)
