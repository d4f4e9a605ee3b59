/** Every `YYYY-MM-DD` from `from` to `to` inclusive, counted in UTC so no day is skipped or doubled at DST. */
export function datesBetween(from: string, to: string): string[] {
  const start = Date.parse(`${from}T00:00:00Z`)
  const end = Date.parse(`${to}T00:00:00Z`)
  if (Number.isNaN(start) || Number.isNaN(end) || start > end) return []
  const dates: string[] = []
  for (let time = start; time <= end; time += 86_400_000) dates.push(new Date(time).toISOString().slice(0, 10))
  return dates
}
