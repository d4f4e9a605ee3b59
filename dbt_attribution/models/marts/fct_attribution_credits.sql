{#- is_incremental() here is the project's: dbt's own, except false offline (docs/dbt-notes.md, "Where this project departs from plain dbt"). -#}
{{ config(
    materialized='incremental',
    unique_key=attribution_unique_key(['conversion_id', 'attribution_model', 'min_lookback_days', 'touch_position']),
    incremental_strategy=attribution_incremental_strategy(),
    partition_by={'field': 'conversion_date', 'data_type': 'date', 'granularity': 'day'} if target.type == 'bigquery' else none,
    cluster_by=['attribution_model', 'conversion_event_name', 'channel', 'user_key'] if target.type == 'bigquery' else none,
    pre_hook="{{ delete_recent_rows_of_changed_users('conversion_facts', extra_condition=newly_modelled_rows_condition()) }}"
) }}
{#-
    Fractional credit of every rule-based model for every lookback 1..90 at once: one row per
    (conversion, model, lookback range, credited session). A session that needs `n` days (lag <= n
    days) is eligible from lookback n on, so the eligible sessions only change at the distinct n of a
    conversion's sessions: each such n starts a range that lasts until the next one, and inside a
    range the eligible sessions (the newest ones) are fixed. Below the smallest n nothing is eligible
    and the range is credited to "Unassigned". The app answers a lookback L with
    `where L between min_lookback_days and max_lookback_days`.
    Credit is held in whole units: 1,000,000 credit_micros and the revenue's cents per conversion,
    split by the largest-remainder rule (split_by_largest_remainder), so both sum exactly per
    conversion, model and range. Rows with zero weight (first click's later sessions) are left out.
    The models and their weights: docs/assumptions.md, "Attribution models".
    Incremental runs recompute the conversions of int_users_changed (see delete_rows_of_changed_users)
    and add those of newly modelled conversion events.
-#}
{%- set max_days = max_lookback_days() -%}
{#- BigQuery: only the credits of conversions from bounds.conversions_from_at on are recomputed. -#}
{%- set bounds = bigquery_refresh_bounds() if is_incremental() else none -%}
-- depends_on: {{ ref('int_users_changed') }}

with

conversions as (

    select
        conversion_id,
        conversion_event_name,
        converted_at,
        conversion_date,
        user_key,
        stream_id,
        revenue_usd,
        cast(round(revenue_usd * 100) as {{ dbt.type_bigint() }}) as revenue_cents
    from {{ ref('int_conversions_deduplicated') }}
    {%- if is_incremental() %}
    where (
        (
            user_key in (select user_key from {{ ref('int_users_changed') }})
            {%- if bounds is not none %}
            and {{ recent_rows_condition('conversion_facts', bounds) }}
            {%- endif %}
        )
        or conversion_event_name in {{ newly_modelled_conversion_events_sql() }}
    )
    {%- endif %}

),

touchpoints as (

    select
        conversion_id,
        session_key,
        ga_session_id,
        session_started_at,
        session_started_micros,
        lookback_days_needed,
        lag_micros,
        source,
        medium,
        campaign,
        campaign_id,
        channel
    from {{ ref('int_touchpoints_joined_to_conversions') }}
    {%- if is_incremental() %}
    where (
        (
            user_key in (select user_key from {{ ref('int_users_changed') }})
            {%- if bounds is not none %}
            and {{ recent_rows_condition('touchpoints', bounds) }}
            {%- endif %}
        )
        or conversion_event_name in {{ newly_modelled_conversion_events_sql() }}
    )
    {%- endif %}

),

range_starts as (

    select distinct
        conversion_id,
        lookback_days_needed as min_lookback_days
    from touchpoints

),

lookback_ranges as (

    select
        conversion_id,
        min_lookback_days,
        coalesce(
            lead(min_lookback_days) over (partition by conversion_id order by min_lookback_days),
            {{ max_days + 1 }}
        ) - 1 as max_lookback_days
    from range_starts

),

eligible as (

    select
        lookback_ranges.min_lookback_days,
        lookback_ranges.max_lookback_days,
        touchpoints.*,
        count(*) over (
            partition by lookback_ranges.conversion_id, lookback_ranges.min_lookback_days
        ) as touches,
        -- 1 for the newest eligible session. Same order as fct_attributed_conversions: start,
        -- then ga_session_id, then session_key.
        row_number() over (
            partition by lookback_ranges.conversion_id, lookback_ranges.min_lookback_days
            order by touchpoints.session_started_micros desc, touchpoints.ga_session_id desc, touchpoints.session_key desc
        ) as recency_rank
    from lookback_ranges
    inner join touchpoints
        on lookback_ranges.conversion_id = touchpoints.conversion_id
        and touchpoints.lookback_days_needed <= lookback_ranges.min_lookback_days

),

positioned as (

    select
        *,
        -- 1 for the oldest eligible session, `touches` for the newest.
        touches - recency_rank + 1 as touch_position,
        min(case when channel <> 'Direct' then recency_rank end) over (
            partition by conversion_id, min_lookback_days
        ) as newest_non_direct_rank
    from eligible

),

{%- set weights = attribution_model_weights() %}
{%- set splits = attribution_model_splits() %}
{%- set models = rule_based_attribution_models() %}
{%- set weighted_models = [] %}
{%- set closed_form_models = [] %}
{%- for model in models %}
    {%- do (closed_form_models if model in splits else weighted_models).append(model) %}
{%- endfor %}

valued as (

    select
        positioned.*,
        conversions.revenue_cents
    from positioned
    inner join conversions
        on positioned.conversion_id = conversions.conversion_id

),
{%- if weighted_models %}

weighted as (

    {%- for model in weighted_models %}
    select
        '{{ model }}' as attribution_model,
        valued.*,
        {{ weights[model] }} as weight
    from valued
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

credited as (

    select
        *,
        weight / sum(weight) over (
            partition by conversion_id, attribution_model, min_lookback_days
        ) as share
    from weighted
    where weight > 0

),

split as (

    select
        *,
        {{ split_by_largest_remainder('1000000', 'share', ['conversion_id', 'attribution_model', 'min_lookback_days'], 'recency_rank') }} as credit_micros,
        {{ split_by_largest_remainder('revenue_cents', 'share', ['conversion_id', 'attribution_model', 'min_lookback_days'], 'recency_rank') }} as credited_revenue_cents
    from credited

),
{%- endif %}
{%- if closed_form_models %}

-- The same split without windows where a model's shares are all or nothing, or equal (attribution_model_splits).
split_closed_form as (

    {%- for model in closed_form_models %}
    select
        '{{ model }}' as attribution_model,
        valued.*,
        {%- if splits[model] == 'single' %}
        1000000 as credit_micros,
        revenue_cents as credited_revenue_cents
    from valued
    where {{ weights[model] }} > 0
        {%- elif splits[model] == 'equal' %}
        {{ split_equally('1000000', 'touches', 'recency_rank') }} as credit_micros,
        {{ split_equally('revenue_cents', 'touches', 'recency_rank') }} as credited_revenue_cents
    from valued
        {%- elif splits[model] == 'position' %}
        {{ split_position_based('1000000', 'touches', 'recency_rank') }} as credit_micros,
        {{ split_position_based('revenue_cents', 'touches', 'recency_rank') }} as credited_revenue_cents
    from valued
        {%- else %}
        {{ exceptions.raise_compiler_error("attribution_model_splits: unknown split '" ~ splits[model] ~ "' for " ~ model) }}
        {%- endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),
{%- endif %}

conversion_min_days_needed as (

    select
        conversion_id,
        min(lookback_days_needed) as min_days_needed
    from touchpoints
    group by conversion_id

),

unattributed as (

    select
        conversions.conversion_id,
        attribution_models.attribution_model,
        1 as min_lookback_days,
        coalesce(conversion_min_days_needed.min_days_needed, {{ max_days + 1 }}) - 1 as max_lookback_days,
        0 as touch_position,
        0 as touches,
        1000000 as credit_micros,
        conversions.revenue_cents as credited_revenue_cents,
        cast(null as {{ dbt.type_string() }}) as session_key,
        cast(null as {{ dbt.type_bigint() }}) as ga_session_id,
        cast(null as {{ dbt.type_timestamp() }}) as session_started_at,
        '(not set)' as source,
        '(not set)' as medium,
        '(not set)' as campaign,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        'Unassigned' as channel
    from conversions
    cross join (
        {%- for model in rule_based_attribution_models() %}
        select '{{ model }}' as attribution_model
        {%- if not loop.last %} union all{% endif %}
        {%- endfor %}
    ) as attribution_models
    left join conversion_min_days_needed
        on conversions.conversion_id = conversion_min_days_needed.conversion_id
    where coalesce(conversion_min_days_needed.min_days_needed, {{ max_days + 1 }}) > 1

),

credit_rows as (
{%- for part in (['split'] if weighted_models else []) + (['split_closed_form'] if closed_form_models else []) %}

    select
        conversion_id,
        attribution_model,
        min_lookback_days,
        max_lookback_days,
        touch_position,
        touches,
        credit_micros,
        credited_revenue_cents,
        session_key,
        ga_session_id,
        session_started_at,
        source,
        medium,
        campaign,
        campaign_id,
        channel
    from {{ part }}

    union all
{%- endfor %}

    select * from unattributed

),

final as (

    select
        credit_rows.conversion_id,
        conversions.conversion_event_name,
        credit_rows.attribution_model,
        credit_rows.min_lookback_days,
        credit_rows.max_lookback_days,
        credit_rows.touch_position,
        credit_rows.touches,
        credit_rows.credit_micros,
        credit_rows.credited_revenue_cents,
        conversions.converted_at,
        conversions.conversion_date,
        conversions.user_key,
        conversions.stream_id,
        conversions.revenue_usd,
        credit_rows.session_key as credited_session_key,
        credit_rows.ga_session_id as credited_ga_session_id,
        credit_rows.session_started_at as credited_session_started_at,
        credit_rows.source,
        credit_rows.medium,
        credit_rows.campaign,
        -- The session's campaign id (utm_id), NULL without one: the cost mart joins spend by it.
        credit_rows.campaign_id,
        credit_rows.channel
    from credit_rows
    inner join conversions
        on credit_rows.conversion_id = conversions.conversion_id
    -- Rows whose share rounded to no unit at all (a tiny time-decay weight) carry nothing.
    where credit_rows.credit_micros > 0 or credit_rows.credited_revenue_cents > 0

)

select * from final
{{ order_by_for_pruning(['user_key', 'conversion_id']) }}
