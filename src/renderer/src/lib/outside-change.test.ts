import type { OutsideChange } from '@shared/api'
import { describe, expect, it } from 'vitest'
import { OUTSIDE_NOTICE_MS, isOutsideNoticeShown, outsideChangeText } from './outside-change'

const CHANGE: OutsideChange = {
  id: 3,
  noticedAt: '2026-12-01T12:03:30.000Z',
  importedEvents: 0,
  streamedEvents: 20,
  importedFiles: 0,
  modelsBuiltAt: null,
}
const clock = (iso: string) => iso.slice(11, 16)

describe('outsideChangeText', () => {
  it('says what another process added and when it rebuilt the models', () => {
    expect(outsideChangeText(CHANGE, clock)).toBe('Outside change: 20 events streamed')
    expect(outsideChangeText({ ...CHANGE, modelsBuiltAt: '2026-12-01T12:03:10.000Z' }, clock)).toBe(
      'Outside change: 20 events streamed, models rebuilt 12:03',
    )
    expect(outsideChangeText({ ...CHANGE, streamedEvents: 1, importedEvents: 4210, importedFiles: 1 }, clock)).toBe(
      'Outside change: 1 event streamed, 4,210 events imported',
    )
    expect(outsideChangeText({ ...CHANGE, streamedEvents: 0, importedEvents: 5671 }, clock)).toBe('Outside change: 5,671 events generated')
    expect(outsideChangeText({ ...CHANGE, streamedEvents: 0, importedFiles: 2 }, clock)).toBe('Outside change: 2 files imported')
    expect(outsideChangeText({ ...CHANGE, streamedEvents: 0 }, clock)).toBe('Outside change: the warehouse file was changed')
  })
})

describe('isOutsideNoticeShown', () => {
  const noticed = Date.parse(CHANGE.noticedAt)

  it('shows a change for a while after it was noticed, unless dismissed', () => {
    expect(isOutsideNoticeShown(CHANGE, noticed + 1_000, undefined)).toBe(true)
    expect(isOutsideNoticeShown(CHANGE, noticed + OUTSIDE_NOTICE_MS + 1, undefined)).toBe(false)
    expect(isOutsideNoticeShown(CHANGE, noticed + 1_000, CHANGE.id)).toBe(false)
    expect(isOutsideNoticeShown({ ...CHANGE, id: 4 }, noticed + 1_000, CHANGE.id)).toBe(true)
    expect(isOutsideNoticeShown(null, noticed, undefined)).toBe(false)
  })
})
