import { API_CHANNELS, type ApiChannel } from '@shared/api'
import type { ApiHandlers } from '../api/handlers'

/** The part of Electron's ipcMain this module uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, input: unknown) => Promise<unknown>): void
}

/** The part of an IPC event the sender check reads. */
export interface IpcEventLike {
  sender: { id: number }
  senderFrame: { url: string } | null
}

/** Binds every API channel; a message from anywhere but the app's own window gets an error result. */
export function bindIpcHandlers(
  ipcMain: IpcMainLike,
  handlers: ApiHandlers,
  isTrusted: (sender: { senderId: number; frameUrl: string | undefined }) => boolean,
): void {
  for (const channel of API_CHANNELS) {
    ipcMain.handle(channel, async (event, input) => {
      if (!isTrusted({ senderId: event.sender.id, frameUrl: event.senderFrame?.url })) {
        return { ok: false, error: 'Refused: this request did not come from the app window.' }
      }
      return handlers[channel as ApiChannel](input)
    })
  }
}
