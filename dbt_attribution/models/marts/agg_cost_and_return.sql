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
    the same rules as sessions (default_channel_group), without gclid. A spend row with a utm_id
    (campaign_id) that credits of its source and medium carry takes their campaign name for that id
    (the newest conversion's), so it groups with them on its day although the names differ;
    without a utm_id, or with one no credit has, it meets credits by its own name (DECISIONLOG
    "Cost and return: one mart of ranges"; "Spend joins conversions by utm_id").
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
        campaign_id,
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
        campaign_id,
        cost_usd
    from {{ ref('stg_spend__ad_costs') }}

),

-- The campaign names credits give each campaign id of a source and medium, and the newest
-- conversion date under each name.
credited_campaign_names as (

    select
        source,
        medium,
        campaign_id,
        campaign,
        max(conversion_date) as last_conversion_date
    from credits
    where campaign_id is not null
    group by
        source,
        medium,
        campaign_id,
        campaign

),

-- One name per campaign id: the one of its newest conversions (a renamed campaign's new name).
campaign_id_names as (

    select
        source,
        medium,
        campaign_id,
        campaign
    from (
        select
            *,
            row_number() over (
                partition by source, medium, campaign_id
                order by last_conversion_date desc, campaign
            ) as name_rank
        from credited_campaign_names
    ) as ranked
    where name_rank = 1

),

-- A spend row with a utm_id the credits know takes the credits' name for it (its own where the
-- credits use that one too); without one it keeps its name and meets credits by name.
ad_costs_by_id as (

    select
        ad_costs.spend_date,
        ad_costs.source,
        ad_costs.medium,
        coalesce(same_name.campaign, newest_name.campaign, ad_costs.campaign) as campaign,
        ad_costs.cost_usd
    from ad_costs
    left join credited_campaign_names as same_name
        on ad_costs.campaign_id = same_name.campaign_id
        and ad_costs.source = same_name.source
        and ad_costs.medium = same_name.medium
        and ad_costs.campaign = same_name.campaign
    left join campaign_id_names as newest_name
        on ad_costs.campaign_id = newest_name.campaign_id
        and ad_costs.source = newest_name.source
        and ad_costs.medium = newest_name.medium

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
        ad_costs_by_id.spend_date,
        ad_costs_by_id.source,
        ad_costs_by_id.medium,
        ad_costs_by_id.campaign,
        ad_costs_by_id.cost_usd,
        {{ default_channel_group(
            'ad_costs_by_id.source',
            'ad_costs_by_id.medium',
            'ad_costs_by_id.campaign',
            'source_categories.source_category'
        ) }} as channel
    from ad_costs_by_id
    left join source_categories
        on lower(ad_costs_by_id.source) = source_categories.source

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
