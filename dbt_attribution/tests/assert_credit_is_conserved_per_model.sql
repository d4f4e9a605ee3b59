-- Credit conservation, per conversion, model and lookback range: the credit of every rule-based
-- model sums to exactly one conversion (1,000,000 micros) and to the conversion's revenue in cents.
with

ranges as (

    select
        conversion_id,
        attribution_model,
        min_lookback_days,
        sum(credit_micros) as credit_micros,
        sum(credited_revenue_cents) as credited_revenue_cents,
        min(revenue_usd) as revenue_usd,
        max(revenue_usd) as other_revenue_usd
    from {{ ref('fct_attribution_credits') }}
    group by conversion_id, attribution_model, min_lookback_days

)

select *
from ranges
where credit_micros <> 1000000
    or credited_revenue_cents <> cast(round(revenue_usd * 100) as {{ dbt.type_bigint() }})
    or revenue_usd <> other_revenue_usd
