// Generated from dbt_attribution by `npm run generate:vocabulary` (scripts/generate-vocabulary.ts): do not edit.
// Models: macro attribution_models(); lookback bounds: min/max/default_lookback_days(); channel
// groups: seed channel_groups.csv. scripts/generate-vocabulary.test.ts fails when this and dbt drift.

/** Every attribution model dbt defines, in the app's order; the descriptions at the default vars. */
export const GENERATED_ATTRIBUTION_MODELS = [
  {
    id: 'first_click',
    name: 'First click',
    description: 'All credit to the earliest session in the lookback window.',
    isRuleBased: true,
  },
  {
    id: 'last_click',
    name: 'Last click',
    description: 'All credit to the latest session before the conversion (Direct included).',
    isRuleBased: true,
  },
  {
    id: 'last_non_direct',
    name: 'Last non-direct',
    description: 'All credit to the latest session that is not Direct; a journey of Direct sessions only credits Direct.',
    isRuleBased: true,
  },
  {
    id: 'linear',
    name: 'Linear',
    description: 'Credit shared equally by every session in the window.',
    isRuleBased: true,
  },
  {
    id: 'position_based',
    name: 'Position based',
    description: '40% to the first session, 40% to the last, 20% shared by the sessions between (one session: 100%, two: 50/50).',
    isRuleBased: true,
  },
  {
    id: 'time_decay',
    name: 'Time decay',
    description: 'Credit halves for every 7 days a session is older than the conversion (2^(-hours/168)), normalised per conversion.',
    isRuleBased: true,
  },
  {
    id: 'data_driven',
    name: 'Data-driven',
    description:
      'Markov chain over channel paths (converting and not): each channel gets conversions × its removal effect ÷ the sum of removal effects.',
    isRuleBased: false,
  },
] as const

/** The lookback window's bounds and default, in days. */
export const GENERATED_LOOKBACK_DAYS = {
  min: 1,
  max: 90,
  default: 14,
} as const

/** Time decay's half-life at the default var time_decay_half_life_days, in days. */
export const GENERATED_TIME_DECAY_HALF_LIFE_DAYS = 7

/** GA4's default channel groups in GA4's order, each with its colour in the app. */
export const GENERATED_CHANNEL_GROUPS = [
  {
    name: 'Direct',
    colour: '#79706e',
  },
  {
    name: 'Cross-network',
    colour: '#499894',
  },
  {
    name: 'Paid Shopping',
    colour: '#a0cbe8',
  },
  {
    name: 'Paid Search',
    colour: '#4e79a7',
  },
  {
    name: 'Paid Social',
    colour: '#b07aa1',
  },
  {
    name: 'Paid Video',
    colour: '#9d7660',
  },
  {
    name: 'Display',
    colour: '#ff9da7',
  },
  {
    name: 'Paid Other',
    colour: '#86bcb6',
  },
  {
    name: 'Organic Shopping',
    colour: '#8cd17d',
  },
  {
    name: 'Organic Social',
    colour: '#76b7b2',
  },
  {
    name: 'Organic Video',
    colour: '#d37295',
  },
  {
    name: 'Organic Search',
    colour: '#59a14f',
  },
  {
    name: 'Referral',
    colour: '#f28e2b',
  },
  {
    name: 'Email',
    colour: '#e15759',
  },
  {
    name: 'Affiliates',
    colour: '#edc948',
  },
  {
    name: 'Audio',
    colour: '#ffbe7d',
  },
  {
    name: 'SMS',
    colour: '#d4a6c8',
  },
  {
    name: 'Mobile Push Notifications',
    colour: '#b6992d',
  },
  {
    name: 'Unassigned',
    colour: '#bab0ac',
  },
] as const
