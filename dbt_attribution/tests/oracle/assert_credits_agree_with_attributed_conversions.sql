-- First and last click in the credit ranges, read at each of the oracle's lookbacks, give the same credit as the directly ranked oracle.
with

attributed as (

    select
        conversion_id,
        attribution_model,
        lookback_days,
        credited_session_key,
        revenue_usd,
        channel
    from {{ ref('fct_attributed_conversions') }}

),

lookbacks as (

    select distinct lookback_days
    from attributed

),

credited as (

    select
        credits.conversion_id,
        credits.attribution_model,
        lookbacks.lookback_days,
        credits.credited_session_key,
        credits.revenue_usd,
        credits.channel
    from {{ ref('fct_attribution_credits') }} as credits
    inner join lookbacks
        on lookbacks.lookback_days between credits.min_lookback_days and credits.max_lookback_days
    where credits.conversion_event_name in ({{ conversion_events_sql(attribution_conversion_events()) }})
        and credits.attribution_model in ('first_click', 'last_click')

)

select
    coalesce(attributed.conversion_id, credited.conversion_id) as conversion_id,
    coalesce(attributed.attribution_model, credited.attribution_model) as attribution_model,
    coalesce(attributed.lookback_days, credited.lookback_days) as lookback_days,
    attributed.credited_session_key as attributed_session_key,
    credited.credited_session_key as credits_session_key,
    attributed.revenue_usd as attributed_revenue_usd,
    credited.revenue_usd as credits_revenue_usd
from attributed
full outer join credited
    on attributed.conversion_id = credited.conversion_id
    and attributed.attribution_model = credited.attribution_model
    and attributed.lookback_days = credited.lookback_days
where attributed.conversion_id is null
    or credited.conversion_id is null
    or coalesce(attributed.credited_session_key, '(none)') <> coalesce(credited.credited_session_key, '(none)')
    or attributed.revenue_usd <> credited.revenue_usd
    or attributed.channel <> credited.channel
