import type { OutsideChange } from '@shared/api'
import { formatInteger } from './format'

/** How long the header keeps an outside change's notice after the app noticed it. */
export const OUTSIDE_NOTICE_MS = 2 * 60_000

const pad = (value: number) => String(value).padStart(2, '0')

/** A time in the viewer's local time as "12:03". */
export function formatClock(iso: string): string {
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? iso : `${pad(date.getHours())}:${pad(date.getMinutes())}`
}

function events(count: number): string {
  return count === 1 ? '1 event' : `${formatInteger(count)} events`
}

/** The notice's words: "Outside change: 20 events streamed, models rebuilt 12:03". */
export function outsideChangeText(change: OutsideChange, clock: (iso: string) => string = formatClock): string {
  const parts: string[] = []
  if (change.streamedEvents > 0) parts.push(`${events(change.streamedEvents)} streamed`)
  // Only an import logs a file; new day-table rows without one come from `generate` (sample data).
  if (change.importedEvents > 0) parts.push(`${events(change.importedEvents)} ${change.importedFiles > 0 ? 'imported' : 'generated'}`)
  else if (change.importedFiles > 0)
    parts.push(change.importedFiles === 1 ? '1 file imported' : `${formatInteger(change.importedFiles)} files imported`)
  if (change.modelsBuiltAt) parts.push(`models rebuilt ${clock(change.modelsBuiltAt)}`)
  return `Outside change: ${parts.length > 0 ? parts.join(', ') : 'the warehouse file was changed'}`
}

/** True while the notice should show: noticed within OUTSIDE_NOTICE_MS and not dismissed. */
export function isOutsideNoticeShown(
  change: OutsideChange | null | undefined,
  nowMs: number,
  dismissedId: number | undefined,
): change is OutsideChange {
  if (!change || change.id === dismissedId) return false
  const noticedMs = Date.parse(change.noticedAt)
  return !Number.isNaN(noticedMs) && nowMs - noticedMs <= OUTSIDE_NOTICE_MS
}
