import type { JobProgress } from '@shared/api'

/** One step of the set-up, before it is put into words. */
export type SetupStep =
  | { phase: 'downloading-uv'; receivedBytes: number; totalBytes?: number }
  | { phase: 'creating-environment'; python?: string }
  | { phase: 'installing'; donePackages: number; totalPackages: number }
  | { phase: 'checking' }
  | { phase: 'done'; dbtVersion: string }

/** Share of the bar each phase fills: uv 0-10 %, the environment 10-20 %, packages 20-95 %, the check 95-100 %. */
export function setupProgress(step: SetupStep): JobProgress {
  const job = 'dbt-setup' as const
  switch (step.phase) {
    case 'downloading-uv': {
      const mb = (bytes: number) => (bytes / 1e6).toFixed(1)
      const fraction = step.totalBytes ? Math.min(1, step.receivedBytes / step.totalBytes) : 0
      const amount = step.totalBytes ? `${mb(step.receivedBytes)} of ${mb(step.totalBytes)} MB` : `${mb(step.receivedBytes)} MB`
      return { job, phase: 'downloading uv', percent: 10 * fraction, message: `Downloading uv (${amount})` }
    }
    case 'creating-environment':
      return {
        job,
        phase: 'creating the environment',
        percent: 10,
        message: `Creating the environment${step.python ? ` (Python ${step.python})` : ''}`,
      }
    case 'installing': {
      const fraction = step.totalPackages > 0 ? Math.min(1, step.donePackages / step.totalPackages) : 0
      return {
        job,
        phase: 'installing dbt',
        percent: 20 + 75 * fraction,
        message: `Installing dbt (${step.donePackages} of ${step.totalPackages} packages)`,
      }
    }
    case 'checking':
      return { job, phase: 'checking dbt', percent: 95, message: 'Checking that dbt runs' }
    case 'done':
      return { job, phase: 'done', percent: 100, message: `dbt ${step.dbtVersion} is ready` }
  }
}
