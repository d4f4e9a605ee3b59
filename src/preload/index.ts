// The preload only bridges: one method per API channel, derived from the shared contract.
import { contextBridge, ipcRenderer } from 'electron'
import { type ApiResponse, type JobProgress, type MartsChanged, type RendererApi, rendererMethods } from '@shared/api'

// The main process validates every request and answers each channel with its contract's Result.
const api: RendererApi = {
  ...rendererMethods((channel, request) => ipcRenderer.invoke(channel, request) as Promise<ApiResponse<typeof channel>>),
  onJobProgress(listener) {
    const wrapped = (_event: unknown, progress: JobProgress) => listener(progress)
    ipcRenderer.on('job:progress', wrapped)
    return () => {
      ipcRenderer.off('job:progress', wrapped)
    }
  },
  onMartsChanged(listener) {
    const wrapped = (_event: unknown, change: MartsChanged) => listener(change)
    ipcRenderer.on('marts:changed', wrapped)
    return () => {
      ipcRenderer.off('marts:changed', wrapped)
    }
  },
}

contextBridge.exposeInMainWorld('api', api)
