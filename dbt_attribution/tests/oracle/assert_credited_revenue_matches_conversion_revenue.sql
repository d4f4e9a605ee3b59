-- At each lookback each model credits exactly the revenue of the conversions, in the oracle and its daily aggregate.
with

conversion_revenue as (

    select sum(revenue_usd) as revenue_usd
    from {{ ref('int_conversions_deduplicated') }}
    where conversion_event_name in ({{ conversion_events_sql(attribution_conversion_events()) }})

),

attributed_revenue as (

    select
        'fct_attributed_conversions' as relation_name,
        attribution_model,
        lookback_days,
        sum(revenue_usd) as revenue_usd
    from {{ ref('fct_attributed_conversions') }}
    group by attribution_model, lookback_days

    union all

    select
        'agg_attribution_daily' as relation_name,
        attribution_model,
        lookback_days,
        sum(revenue_usd) as revenue_usd
    from {{ ref('agg_attribution_daily') }}
    group by attribution_model, lookback_days

)

select
    attributed_revenue.relation_name,
    attributed_revenue.attribution_model,
    attributed_revenue.lookback_days,
    attributed_revenue.revenue_usd as attributed_revenue_usd,
    conversion_revenue.revenue_usd as conversion_revenue_usd
from attributed_revenue
cross join conversion_revenue
where coalesce(attributed_revenue.revenue_usd, 0) <> coalesce(conversion_revenue.revenue_usd, 0)
