{#-
    Ad spend, one row per day and source/medium/campaign, cost as exact USD. A BigQuery dataset
    without an ad_spend table reads as no spend, so the marts build before any cost is loaded
    (and offline, `compile --no-introspect`, compiles as no spend).
-#}
{%- set ad_spend = source('spend', 'ad_spend') -%}
{%- set has_spend = can_query_warehouse() and adapter.get_relation(
    database=ad_spend.database, schema=ad_spend.schema, identifier=ad_spend.identifier
) is not none -%}

with

{% if has_spend -%}
ad_spend as (

    select
        spend_date,
        source,
        medium,
        campaign,
        campaign_id,
        cost_usd,
        impressions,
        clicks
    from {{ ad_spend }}

),
{%- else -%}
ad_spend as (

    select
        cast(null as date) as spend_date,
        cast(null as {{ dbt.type_string() }}) as source,
        cast(null as {{ dbt.type_string() }}) as medium,
        cast(null as {{ dbt.type_string() }}) as campaign,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ type_money() }}) as cost_usd,
        cast(null as {{ dbt.type_bigint() }}) as impressions,
        cast(null as {{ dbt.type_bigint() }}) as clicks
    from (select 1 as no_spend) as nothing
    where 1 = 0

),
{%- endif %}

final as (

    select
        spend_date,
        source,
        medium,
        campaign,
        campaign_id,
        cast(cost_usd as {{ type_money() }}) as cost_usd,
        impressions,
        clicks
    from ad_spend

)

select * from final
