-- First and last click in the credit ranges, read at var lookback_days, give the same credit as the directly ranked fact table.
{%- set lookback_days = attribution_lookback_days() %}

with

attributed as (

    select
        conversion_id,
        attribution_model,
        credited_session_key,
        revenue_usd,
        channel
    from {{ ref('fct_attributed_conversions') }}

),

credited as (

    select
        conversion_id,
        attribution_model,
        credited_session_key,
        revenue_usd,
        channel
    from {{ ref('fct_attribution_credits') }}
    where conversion_event_name in ({{ conversion_events_sql(attribution_conversion_events()) }})
        and attribution_model in ('first_click', 'last_click')
        and {{ lookback_days }} between min_lookback_days and max_lookback_days

)

select
    coalesce(attributed.conversion_id, credited.conversion_id) as conversion_id,
    coalesce(attributed.attribution_model, credited.attribution_model) as attribution_model,
    attributed.credited_session_key as attributed_session_key,
    credited.credited_session_key as credits_session_key,
    attributed.revenue_usd as attributed_revenue_usd,
    credited.revenue_usd as credits_revenue_usd
from attributed
full outer join credited
    on attributed.conversion_id = credited.conversion_id
    and attributed.attribution_model = credited.attribution_model
where attributed.conversion_id is null
    or credited.conversion_id is null
    or coalesce(attributed.credited_session_key, '(none)') <> coalesce(credited.credited_session_key, '(none)')
    or attributed.revenue_usd <> credited.revenue_usd
    or attributed.channel <> credited.channel
