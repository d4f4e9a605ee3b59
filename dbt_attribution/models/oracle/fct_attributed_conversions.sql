{#-
    Test oracle (tag oracle: CI builds it, the app and CLI never do). First and last click at every
    lookback 1..90, ranked directly from the pairs: built independently of fct_attribution_credits
    on purpose, so the singular tests in tests/oracle, which compare the two, check the interval
    logic. A plain table: it is rebuilt whenever it is built.
-#}
{%- set conversion_events = attribution_conversion_events() -%}
{{ config(
    partition_by={'field': 'conversion_date', 'data_type': 'date', 'granularity': 'day'} if target.type == 'bigquery' else none,
    cluster_by=['user_key'] if target.type == 'bigquery' else none
) }}

with

conversions as (

    select
        conversion_id,
        conversion_event_name,
        converted_at,
        conversion_date,
        user_key,
        revenue_usd
    from {{ ref('int_conversions_deduplicated') }}
    where conversion_event_name in ({{ conversion_events_sql(conversion_events) }})

),

lookbacks as (
{{ oracle_lookback_days_sql() }}

),

-- A session is eligible at lookback L when it started at most L x 24 h before the conversion.
eligible_touchpoints as (

    select
        lookbacks.lookback_days,
        touchpoints.*
    from {{ ref('int_touchpoints_joined_to_conversions') }} as touchpoints
    inner join lookbacks
        on touchpoints.lag_micros <= cast(lookbacks.lookback_days as {{ dbt.type_bigint() }}) * {{ micros_per_day() }}

),

attribution_models as (

    select 'first_click' as attribution_model
    union all
    select 'last_click' as attribution_model

),

ranked_touchpoints as (

    select
        *,
        -- Ties on session start: first click takes the lowest ga_session_id, last click the highest.
        row_number() over (
            partition by conversion_id, lookback_days
            order by session_started_micros, ga_session_id, session_key
        ) as first_click_rank,
        row_number() over (
            partition by conversion_id, lookback_days
            order by session_started_micros desc, ga_session_id desc, session_key desc
        ) as last_click_rank
    from eligible_touchpoints

),

credited_touchpoints as (

    select
        'first_click' as attribution_model,
        ranked_touchpoints.*
    from ranked_touchpoints
    where first_click_rank = 1

    union all

    select
        'last_click' as attribution_model,
        ranked_touchpoints.*
    from ranked_touchpoints
    where last_click_rank = 1

),

final as (

    select
        conversions.conversion_id,
        conversions.conversion_event_name,
        attribution_models.attribution_model,
        lookbacks.lookback_days,
        conversions.converted_at,
        conversions.conversion_date,
        conversions.user_key,
        conversions.revenue_usd,
        credited_touchpoints.session_key as credited_session_key,
        credited_touchpoints.ga_session_id as credited_ga_session_id,
        credited_touchpoints.session_started_at as credited_session_started_at,
        -- A conversion with no eligible session is still counted, under "(not set)".
        coalesce(credited_touchpoints.source, '(not set)') as source,
        coalesce(credited_touchpoints.medium, '(not set)') as medium,
        case
            when credited_touchpoints.session_key is null then '(not set)'
            else credited_touchpoints.campaign
        end as campaign,
        coalesce(credited_touchpoints.channel, 'Unassigned') as channel
    from conversions
    cross join attribution_models
    cross join lookbacks
    left join credited_touchpoints
        on conversions.conversion_id = credited_touchpoints.conversion_id
        and attribution_models.attribution_model = credited_touchpoints.attribution_model
        and lookbacks.lookback_days = credited_touchpoints.lookback_days

)

select * from final
