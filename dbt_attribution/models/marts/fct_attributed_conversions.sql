{#-
    Attribution at the var lookback, ranked directly from the pairs. It is built independently of
    fct_attribution_credits on purpose: the singular test that the two agree checks the interval logic.
-#}
{%- set lookback_days = attribution_lookback_days() -%}
{%- set conversion_events = attribution_conversion_events() -%}
{#-
    Incremental runs first delete the rows of int_users_changed and every row built with other
    vars, then insert each chosen conversion that has no row: after a change of lookback_days or
    conversion_events that is all of them, as in a full build.
-#}
{{ config(
    materialized='incremental',
    unique_key=attribution_unique_key(['conversion_id', 'attribution_model']),
    incremental_strategy=attribution_incremental_strategy(),
    partition_by={'field': 'conversion_date', 'data_type': 'date', 'granularity': 'day'} if target.type == 'bigquery' else none,
    cluster_by=['user_key'] if target.type == 'bigquery' else none,
    pre_hook="{{ delete_recent_rows_of_changed_users('conversion_facts', extra_condition=stale_attributed_conversions_condition()) }}"
) }}
-- depends_on: {{ ref('int_users_changed') }}

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
    {%- if is_incremental() %}
        and conversion_id not in (select conversion_id from {{ this }})
    {%- endif %}

),

eligible_touchpoints as (

    select *
    from {{ ref('int_touchpoints_joined_to_conversions') }}
    where lag_micros <= {{ lookback_days * micros_per_day() }}
    {%- if is_incremental() %}
        and conversion_id in (select conversion_id from conversions)
    {%- endif %}

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
            partition by conversion_id
            order by session_started_micros, ga_session_id, session_key
        ) as first_click_rank,
        row_number() over (
            partition by conversion_id
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
        {{ lookback_days }} as lookback_days,
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
    left join credited_touchpoints
        on conversions.conversion_id = credited_touchpoints.conversion_id
        and attribution_models.attribution_model = credited_touchpoints.attribution_model

)

select * from final
{{ order_by_for_pruning(['user_key', 'conversion_id']) }}
