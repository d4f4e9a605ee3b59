/** Progress lines on stderr, so stdout stays clean for `--format json`. */
export interface ProgressPrinter {
  update(text: string): void
  done(text?: string): void
}

const NON_TTY_INTERVAL_MS = 1000

/** A one-line progress display: rewritten in place on a terminal, throttled lines elsewhere. */
export function createProgressPrinter(stream: NodeJS.WriteStream = process.stderr): ProgressPrinter {
  const isTty = Boolean(stream.isTTY)
  let lastText = ''
  let lastPrintedAt = 0
  return {
    update(text) {
      if (text === lastText) return
      lastText = text
      if (isTty) {
        stream.write(`\r\u001b[2K${text}`)
        return
      }
      const now = Date.now()
      if (now - lastPrintedAt >= NON_TTY_INTERVAL_MS) {
        lastPrintedAt = now
        stream.write(`${text}\n`)
      }
    },
    done(text) {
      if (isTty && lastText !== '') stream.write('\r\u001b[2K')
      if (text) stream.write(`${text}\n`)
      lastText = ''
    },
  }
}

/** A text bar such as `[#####.....] 50%`. */
export function progressBar(percent: number, width = 20): string {
  const clamped = Math.max(0, Math.min(100, percent))
  const filled = Math.round((clamped / 100) * width)
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(clamped)).padStart(3)}%`
}
