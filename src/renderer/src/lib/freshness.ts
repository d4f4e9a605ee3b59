/** Data whose newest event is older than this is stale: a GA4 export lands daily, so two days means it stopped. */
export const STALE_AFTER_MS = 2 * 24 * 60 * 60 * 1000

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** A date for people, in the viewer's time zone: "19 Jan 2021". */
export function formatDayMonthYear(iso: string): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return `${date.getDate()} ${MONTHS[date.getMonth()]} ${date.getFullYear()}`
}

/** How fresh the warehouse's data is: `fresh` (green), `stale` (amber, with the date), or `none` (no events). */
export interface DataFreshness {
  state: 'fresh' | 'stale' | 'none'
  /** The header's words: "data as of 5 min ago", "data as of 19 Jan 2021", "newest event unknown". */
  text: string
}

/** The header's freshness for the newest event time; `relative` words a recent time ("5 min ago"). */
export function dataFreshness(
  newestEventAt: string | null,
  nowMs: number,
  relative: (iso: string, nowMs: number) => string,
): DataFreshness {
  const at = newestEventAt === null ? Number.NaN : Date.parse(newestEventAt)
  if (newestEventAt === null || Number.isNaN(at)) return { state: 'none', text: 'newest event unknown' }
  if (nowMs - at > STALE_AFTER_MS) return { state: 'stale', text: `data as of ${formatDayMonthYear(newestEventAt)}` }
  return { state: 'fresh', text: `data as of ${relative(newestEventAt, nowMs)}` }
}
