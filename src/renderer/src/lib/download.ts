/** Saves a URL (blob: or data:) under a file name through a temporary link, the way browsers and Electron both honour. */
export function downloadUrl(fileName: string, url: string): void {
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  link.rel = 'noopener'
  document.body.append(link)
  link.click()
  link.remove()
}

/** Saves text as a CSV file; the byte-order mark makes Excel read UTF-8 campaign names correctly. */
export function downloadCsv(fileName: string, csv: string): void {
  const url = URL.createObjectURL(new Blob(['\ufeff', csv], { type: 'text/csv;charset=utf-8' }))
  downloadUrl(fileName, url)
  // Revoke later: the download reads the blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/** A file-name-safe stamp of today ("2026-11-26"), so repeated exports do not overwrite each other's meaning. */
export function fileStamp(now = new Date()): string {
  return now.toISOString().slice(0, 10)
}
