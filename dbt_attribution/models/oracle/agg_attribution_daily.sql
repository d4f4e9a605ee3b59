{#- Test oracle (tag oracle): fct_attributed_conversions per day, model, lookback and channel; no view reads it. -#}
{{ config(
    partition_by={'field': 'conversion_date', 'data_type': 'date', 'granularity': 'day'} if target.type == 'bigquery' else none,
    cluster_by=['attribution_model', 'channel'] if target.type == 'bigquery' else none
) }}

with

attributed_conversions as (

    select
        conversion_date,
        attribution_model,
        lookback_days,
        channel,
        revenue_usd
    from {{ ref('fct_attributed_conversions') }}

),

final as (

    select
        conversion_date,
        attribution_model,
        lookback_days,
        channel,
        count(*) as conversions,
        sum(revenue_usd) as revenue_usd
    from attributed_conversions
    group by conversion_date, attribution_model, lookback_days, channel

)

select * from final
