-- For every conversion and rule-based model the credit ranges cover 1..90 exactly: no gap, no overlap;
-- and no row names a model that attribution_model_weights() does not define.
{%- set max_days = max_lookback_days() %}

with

distinct_ranges as (

    select distinct
        conversion_id,
        attribution_model,
        min_lookback_days,
        max_lookback_days
    from {{ ref('fct_attribution_credits') }}

),

ranges as (

    select
        conversion_id,
        attribution_model,
        min_lookback_days,
        max_lookback_days,
        lag(max_lookback_days) over (
            partition by conversion_id, attribution_model
            order by min_lookback_days
        ) as previous_max_lookback_days,
        max(max_lookback_days) over (
            partition by conversion_id, attribution_model
        ) as last_lookback_days
    from distinct_ranges

),

broken_ranges as (

    select
        conversion_id,
        attribution_model,
        min_lookback_days,
        max_lookback_days
    from ranges
    where min_lookback_days > max_lookback_days
        or min_lookback_days < 1
        or max_lookback_days > {{ max_days }}
        or last_lookback_days <> {{ max_days }}
        or (previous_max_lookback_days is null and min_lookback_days <> 1)
        or (previous_max_lookback_days is not null and min_lookback_days <> previous_max_lookback_days + 1)

),

attribution_models as (

    {%- for model in rule_based_attribution_models() %}
    select '{{ model }}' as attribution_model
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

missing_conversions as (

    select
        conversions.conversion_id,
        attribution_models.attribution_model,
        cast(null as {{ dbt.type_int() }}) as min_lookback_days,
        cast(null as {{ dbt.type_int() }}) as max_lookback_days
    from {{ ref('int_conversions_deduplicated') }} as conversions
    cross join attribution_models
    left join (select distinct conversion_id, attribution_model from ranges) as covered
        on conversions.conversion_id = covered.conversion_id
        and attribution_models.attribution_model = covered.attribution_model
    where covered.conversion_id is null

),

unknown_models as (

    select
        conversion_id,
        attribution_model,
        min_lookback_days,
        max_lookback_days
    from distinct_ranges
    where attribution_model not in (select attribution_model from attribution_models)

)

select * from broken_ranges
union all
select * from missing_conversions
union all
select * from unknown_models
