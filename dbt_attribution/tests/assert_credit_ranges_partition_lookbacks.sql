-- For every conversion and rule-based model the credit ranges cover 1..90 exactly: no gap, no overlap;
-- and no row names a model that attribution_model_weights() does not define.
-- Checked without sorting the ranges: valid ranges whose lengths add up to 90 and that together
-- cover every day of 1..90 can neither overlap nor leave a gap. The days covered are OR-ed as two
-- 45-bit masks (macro lookback_days_mask), which fit the 64-bit integers of both warehouses.
{%- set max_days = max_lookback_days() %}
{%- set half = (max_days + 1) // 2 %}

with

distinct_ranges as (

    select distinct
        conversion_id,
        attribution_model,
        min_lookback_days,
        max_lookback_days
    from {{ ref('fct_attribution_credits') }}

),

coverage as (

    select
        conversion_id,
        attribution_model,
        sum(
            case
                when min_lookback_days between 1 and max_lookback_days and max_lookback_days <= {{ max_days }}
                    then 0
                else 1
            end
        ) as invalid_ranges,
        sum(max_lookback_days - min_lookback_days + 1) as days_counted,
        bit_or({{ lookback_days_mask('min_lookback_days', 'max_lookback_days', 1, half) }}) as early_days_covered,
        bit_or({{ lookback_days_mask('min_lookback_days', 'max_lookback_days', half + 1, max_days) }}) as late_days_covered
    from distinct_ranges
    group by conversion_id, attribution_model

),

broken_ranges as (

    select
        conversion_id,
        attribution_model,
        'ranges overlap, leave a gap or fall outside 1..{{ max_days }}' as problem
    from coverage
    where invalid_ranges > 0
        or days_counted <> {{ max_days }}
        or early_days_covered <> {{ lookback_days_mask(1, max_days, 1, half) }}
        or late_days_covered <> {{ lookback_days_mask(1, max_days, half + 1, max_days) }}

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
        'no credit rows' as problem
    from {{ ref('int_conversions_deduplicated') }} as conversions
    cross join attribution_models
    left join coverage as covered
        on conversions.conversion_id = covered.conversion_id
        and attribution_models.attribution_model = covered.attribution_model
    where covered.conversion_id is null

),

unknown_models as (

    select
        conversion_id,
        attribution_model,
        'not a rule-based model' as problem
    from coverage
    where attribution_model not in (select attribution_model from attribution_models)

)

select * from broken_ranges
union all
select * from missing_conversions
union all
select * from unknown_models
