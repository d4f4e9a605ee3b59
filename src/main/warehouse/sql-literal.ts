/** A SQL string literal, for statements that take no bound parameters (ATTACH, COPY ... TO, comments). */
export function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`
}
