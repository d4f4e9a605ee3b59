-- In the oracle every conversion of the chosen events appears exactly once per attribution model and lookback, and nothing else does.
with

conversions as (

    select conversion_id
    from {{ ref('int_conversions_deduplicated') }}
    where conversion_event_name in ({{ conversion_events_sql(attribution_conversion_events()) }})

),

attribution_models as (

    select 'first_click' as attribution_model
    union all
    select 'last_click' as attribution_model

),

lookbacks as (
{{ oracle_lookback_days_sql() }}

),

expected as (

    select
        conversions.conversion_id,
        attribution_models.attribution_model,
        lookbacks.lookback_days
    from conversions
    cross join attribution_models
    cross join lookbacks

),

attributed as (

    select
        conversion_id,
        attribution_model,
        lookback_days,
        count(*) as row_count
    from {{ ref('fct_attributed_conversions') }}
    group by conversion_id, attribution_model, lookback_days

)

select
    coalesce(expected.conversion_id, attributed.conversion_id) as conversion_id,
    coalesce(expected.attribution_model, attributed.attribution_model) as attribution_model,
    coalesce(expected.lookback_days, attributed.lookback_days) as lookback_days,
    attributed.row_count
from expected
full outer join attributed
    on expected.conversion_id = attributed.conversion_id
    and expected.attribution_model = attributed.attribution_model
    and expected.lookback_days = attributed.lookback_days
where expected.conversion_id is null
    or attributed.conversion_id is null
    or attributed.row_count <> 1
