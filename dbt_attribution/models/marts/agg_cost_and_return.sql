{{ config(
    partition_by={'field': 'report_date', 'data_type': 'date', 'granularity': 'day'} if target.type == 'bigquery' else none,
    cluster_by=['attribution_model', 'channel'] if target.type == 'bigquery' else none
) }}
{#-
    Cost and attributed return per rule-based model, lookback range, report day and
    source/medium/campaign (and channel). Credit rows keep the credits' lookback ranges; spend does
    not depend on the lookback, so each spend row is one row per model for every lookback
    (1..max). The app answers a lookback L with `where L between min_lookback_days and
    max_lookback_days` and sums per group: at L this is the full outer join of spend and credit on
    (day, source, medium, campaign), so spend with no conversions and conversions with no spend both
    show. Spend's day is the conversions' report day (as GA4 reports cost beside conversions); spend
    rows have no conversion event and count under every choice of events. Spend gets its channel by
    the same rules as sessions (default_channel_group), without gclid. Joined by name: sessions carry
    no utm_id yet (DECISIONLOG "Cost and return: one mart of ranges").
-#}
{%- set max_days = max_lookback_days() -%}

with

credits as (

    select
        attribution_model,
        min_lookback_days,
        max_lookback_days,
        conversion_date,
        conversion_event_name,
        source,
        medium,
        campaign,
        channel,
        credit_micros,
        credited_revenue_cents
    from {{ ref('fct_attribution_credits') }}

),

ad_costs as (

    select
        spend_date,
        source,
        medium,
        campaign,
        cost_usd
    from {{ ref('stg_spend__ad_costs') }}

),

source_categories as (

    select
        lower(source) as source,
        source_category
    from {{ ref('source_categories') }}

),

rule_based_models as (

    {%- for model in attribution_model_weights().keys() %}
    select '{{ model }}' as attribution_model
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

ad_costs_classified as (

    select
        ad_costs.spend_date,
        ad_costs.source,
        ad_costs.medium,
        ad_costs.campaign,
        ad_costs.cost_usd,
        {{ default_channel_group(
            'ad_costs.source',
            'ad_costs.medium',
            'ad_costs.campaign',
            'source_categories.source_category'
        ) }} as channel
    from ad_costs
    left join source_categories
        on lower(ad_costs.source) = source_categories.source

),

credited as (

    select
        attribution_model,
        min_lookback_days,
        max_lookback_days,
        conversion_date as report_date,
        conversion_event_name,
        source,
        medium,
        campaign,
        channel,
        sum(credit_micros) as credit_micros,
        sum(credited_revenue_cents) as revenue_cents,
        cast(0 as {{ type_money() }}) as cost_usd
    from credits
    group by
        attribution_model,
        min_lookback_days,
        max_lookback_days,
        conversion_date,
        conversion_event_name,
        source,
        medium,
        campaign,
        channel

),

spent as (

    select
        rule_based_models.attribution_model,
        1 as min_lookback_days,
        {{ max_days }} as max_lookback_days,
        ad_costs_classified.spend_date as report_date,
        cast(null as {{ dbt.type_string() }}) as conversion_event_name,
        ad_costs_classified.source,
        ad_costs_classified.medium,
        ad_costs_classified.campaign,
        ad_costs_classified.channel,
        cast(0 as {{ dbt.type_bigint() }}) as credit_micros,
        cast(0 as {{ dbt.type_bigint() }}) as revenue_cents,
        ad_costs_classified.cost_usd
    from ad_costs_classified
    cross join rule_based_models

),

final as (

    select * from credited
    union all
    select * from spent

)

select * from final
