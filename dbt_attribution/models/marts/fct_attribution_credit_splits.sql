{#- is_incremental() here is the project's: dbt's own, except false offline (docs/dbt-notes.md, "Where this project departs from plain dbt"). -#}
{{ config(
    materialized='incremental',
    unique_key=attribution_unique_key(['conversion_id', 'min_lookback_days', 'touch_position']),
    incremental_strategy=attribution_incremental_strategy(),
    partition_by={'field': 'conversion_date', 'data_type': 'date', 'granularity': 'day'} if target.type == 'bigquery' else none,
    cluster_by=['conversion_event_name', 'channel', 'user_key'] if target.type == 'bigquery' else none,
    pre_hook="{{ delete_recent_rows_of_changed_users('conversion_facts', extra_condition=newly_modelled_rows_condition()) }}"
) }}
{#-
    Fractional credit of every rule-based model for every lookback 1..90 at once, one row per
    (conversion, lookback range, credited session) with a pair of columns per model:
    `<model>_credit_micros` and `<model>_revenue_cents`. fct_attribution_credits (a view) turns them
    into one row per model, the shape the app and the CLI read. A row per session rather than per
    session and model stores about 4x fewer rows, and writing them (and the app's copy of them) is
    where modelling a new conversion event spent most of its time.
    A session that needs `n` days (lag <= n days) is eligible from lookback n on, so the eligible
    sessions only change at the distinct n of a conversion's sessions: each such n starts a range
    that lasts until the next one, and inside a range the eligible sessions (the newest ones) are
    fixed. Below the smallest n nothing is eligible and the range is credited to "Unassigned".
    The app answers a lookback L with `where L between min_lookback_days and max_lookback_days`.
    Credit is held in whole units: 1,000,000 credit_micros and the revenue's cents per conversion,
    split by the largest-remainder rule (split_by_largest_remainder), so both sum exactly per
    conversion, model and range.
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
        -- The key the CTEs below partition and join by (integer_key).
        {{ integer_key('conversion_id') }} as conversion_number,
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

ranked as (

    -- Each conversion's sessions, newest first. A session's lookback_days_needed only grows with its
    -- age, so the sessions eligible at any lookback are the newest ones: a range holds recency ranks
    -- 1..touches, and a session's rank is the same in every range that holds it. One window over
    -- the sessions, not one per range. Same order as fct_attributed_conversions: start, then
    -- ga_session_id, then session_key.
    select
        conversions.conversion_number,
        touchpoints.*,
        row_number() over (
            partition by conversions.conversion_number
            order by touchpoints.session_started_micros desc, touchpoints.ga_session_id desc, touchpoints.session_key desc
        ) as recency_rank
    from touchpoints
    inner join conversions
        on touchpoints.conversion_id = conversions.conversion_id

),

range_starts as (

    -- A range starts at each distinct lookback_days_needed and holds every session up to the oldest
    -- that needs it.
    select
        conversion_number,
        lookback_days_needed as min_lookback_days,
        max(recency_rank) as touches
    from ranked
    group by conversion_number, lookback_days_needed

),

lookback_ranges as (

    select
        conversion_number,
        min_lookback_days,
        touches,
        coalesce(
            lead(min_lookback_days) over (partition by conversion_number order by min_lookback_days),
            {{ max_days + 1 }}
        ) - 1 as max_lookback_days
    from range_starts

),

newest_non_direct as (

    select
        conversion_number,
        min(recency_rank) as newest_non_direct_rank
    from ranked
    where channel <> 'Direct'
    group by conversion_number

),

positioned as (

    select
        lookback_ranges.min_lookback_days,
        lookback_ranges.max_lookback_days,
        ranked.*,
        lookback_ranges.touches,
        -- 1 for the oldest eligible session, `touches` for the newest.
        lookback_ranges.touches - ranked.recency_rank + 1 as touch_position,
        case
            when newest_non_direct.newest_non_direct_rank <= lookback_ranges.touches
                then newest_non_direct.newest_non_direct_rank
        end as newest_non_direct_rank
    from lookback_ranges
    inner join ranked
        on lookback_ranges.conversion_number = ranked.conversion_number
        and ranked.recency_rank <= lookback_ranges.touches
    left join newest_non_direct
        on lookback_ranges.conversion_number = newest_non_direct.conversion_number

),

{%- set weights = attribution_model_weights() %}
{%- set splits = attribution_model_splits() %}
{%- set models = rule_based_attribution_models() %}
{%- for model in models if model in splits and splits[model] not in ['single', 'equal', 'position'] %}
    {{ exceptions.raise_compiler_error("attribution_model_splits: unknown split '" ~ splits[model] ~ "' for " ~ model) }}
{%- endfor %}
{%- set common_columns = [
    'conversion_id', 'conversion_event_name', 'min_lookback_days', 'max_lookback_days', 'touch_position', 'touches',
    'converted_at', 'conversion_date', 'user_key', 'stream_id', 'revenue_usd',
    'credited_session_key', 'credited_ga_session_id', 'credited_session_started_at',
    'source', 'medium', 'campaign', 'campaign_id', 'channel'] %}
{%- set model_columns = [] %}
{%- for model in models %}
    {%- do model_columns.extend([model ~ '_credit_micros', model ~ '_revenue_cents']) %}
{%- endfor %}

valued as (

    -- The conversion's own columns ride along from here, so the credit rows need no join at the end.
    select
        positioned.*,
        conversions.conversion_event_name,
        conversions.converted_at,
        conversions.conversion_date,
        conversions.user_key,
        conversions.stream_id,
        conversions.revenue_usd,
        conversions.revenue_cents
    from positioned
    inner join conversions
        on positioned.conversion_number = conversions.conversion_number

),

weighted as (

    -- The weight of each model without a closed-form split (attribution_model_splits), computed once.
    select
        valued.*
        {%- for model in models if model not in splits %}
        , {{ weights[model] }} as {{ model }}_weight
        {%- endfor %}
    from valued

),

shared as (

    -- Its share: the weight over the sum of the range's positive weights.
    select
        weighted.*
        {%- for model in models if model not in splits %}
        , case
            when {{ model }}_weight > 0
                then {{ model }}_weight / sum(case when {{ model }}_weight > 0 then {{ model }}_weight end) over (
                    partition by conversion_number, min_lookback_days
                )
            else 0
        end as {{ model }}_share
        {%- endfor %}
    from weighted

),

split as (

    -- Each model's whole units. Closed-form splits need no window: 'single' (one session takes all),
    -- 'equal' (split_equally), 'position' (split_position_based); the others use the
    -- largest-remainder rule over their shares, where a session with no weight ranks after every
    -- weighted one (so it never takes a leftover unit).
    select
        {%- for column in common_columns if column not in ['credited_session_key', 'credited_ga_session_id', 'credited_session_started_at'] %}
        {{ column }},
        {%- endfor %}
        session_key as credited_session_key,
        ga_session_id as credited_ga_session_id,
        session_started_at as credited_session_started_at
        {%- for model in models %}
        {%- if splits.get(model) == 'single' %}
        , cast(case when ({{ weights[model] }}) > 0 then 1000000 else 0 end as {{ dbt.type_bigint() }}) as {{ model }}_credit_micros
        , cast(case when ({{ weights[model] }}) > 0 then revenue_cents else 0 end as {{ dbt.type_bigint() }}) as {{ model }}_revenue_cents
        {%- elif splits.get(model) == 'equal' %}
        , {{ split_equally('1000000', 'touches', 'recency_rank') }} as {{ model }}_credit_micros
        , {{ split_equally('revenue_cents', 'touches', 'recency_rank') }} as {{ model }}_revenue_cents
        {%- elif splits.get(model) == 'position' %}
        , {{ split_position_based('1000000', 'touches', 'recency_rank') }} as {{ model }}_credit_micros
        , {{ split_position_based('revenue_cents', 'touches', 'recency_rank') }} as {{ model }}_revenue_cents
        {%- else %}
        {%- set unweighted_last = 'case when ' ~ model ~ '_share > 0 then 0 else 1 end, recency_rank' %}
        , {{ split_by_largest_remainder('1000000', model ~ '_share', ['conversion_number', 'min_lookback_days'], unweighted_last) }} as {{ model }}_credit_micros
        , {{ split_by_largest_remainder('revenue_cents', model ~ '_share', ['conversion_number', 'min_lookback_days'], unweighted_last) }} as {{ model }}_revenue_cents
        {%- endif %}
        {%- endfor %}
    from shared

),

conversion_min_days_needed as (

    select
        conversion_id,
        min(lookback_days_needed) as min_days_needed
    from touchpoints
    group by conversion_id

),

unattributed as (

    -- Below the smallest need no session is eligible: every model credits "Unassigned".
    select
        conversions.conversion_id,
        conversions.conversion_event_name,
        1 as min_lookback_days,
        coalesce(conversion_min_days_needed.min_days_needed, {{ max_days + 1 }}) - 1 as max_lookback_days,
        0 as touch_position,
        0 as touches,
        conversions.converted_at,
        conversions.conversion_date,
        conversions.user_key,
        conversions.stream_id,
        conversions.revenue_usd,
        cast(null as {{ dbt.type_string() }}) as credited_session_key,
        cast(null as {{ dbt.type_bigint() }}) as credited_ga_session_id,
        cast(null as {{ dbt.type_timestamp() }}) as credited_session_started_at,
        '(not set)' as source,
        '(not set)' as medium,
        '(not set)' as campaign,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        'Unassigned' as channel
        {%- for model in models %}
        , cast(1000000 as {{ dbt.type_bigint() }}) as {{ model }}_credit_micros
        , conversions.revenue_cents as {{ model }}_revenue_cents
        {%- endfor %}
    from conversions
    left join conversion_min_days_needed
        on conversions.conversion_id = conversion_min_days_needed.conversion_id
    where coalesce(conversion_min_days_needed.min_days_needed, {{ max_days + 1 }}) > 1

),

final as (

    select {{ (common_columns + model_columns) | join(', ') }}
    from split
    -- A session no model credits (a share that rounded to no unit at all, in every model) carries nothing.
    where {% for column in model_columns %}{{ column }} > 0{{ ' or ' if not loop.last }}{% endfor %}

    union all

    select {{ (common_columns + model_columns) | join(', ') }}
    from unattributed

)

-- Full builds store the rows by event, then user: the views filter by event with constant lists,
-- which DuckDB checks against each row group's range, and the changed users' deletes still find
-- their rows by user_key within each block. An incremental run appends its rows unsorted (a newly
-- modelled event's rows still come together).
select * from final
{{ order_by_for_pruning(['conversion_event_name', 'user_key', 'conversion_id']) }}
