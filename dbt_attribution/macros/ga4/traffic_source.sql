{#
    The export's newer traffic-source columns, which older exports lack: collected_traffic_source
    (events since 2023) and session_traffic_source_last_click (since 2024). Staging reads seven
    fields of them, as plain columns, NULL where the raw tables lack the column.
#}

{# The newer traffic-source columns the raw export tables of one kind (day or intraday) carry. #}
{% macro ga4_traffic_source_columns_present(is_intraday) %}
    {{ return(adapter.dispatch('ga4_traffic_source_columns_present', 'dbt_attribution')(is_intraday)) }}
{% endmacro %}

{# The warehouse's raw tables and views always have both (NULL for files without them; raw-files.ts). #}
{% macro default__ga4_traffic_source_columns_present(is_intraday) -%}
    {{ return(['collected_traffic_source', 'session_traffic_source_last_click']) }}
{%- endmacro %}

{#
    A wildcard takes the schema of its newest table, and naming a column that schema lacks fails
    the query: so look at the newest shard's columns (API calls, not billed queries). Offline
    (parse, --no-introspect) both are assumed, so the compiled SQL shows them.
#}
{% macro bigquery__ga4_traffic_source_columns_present(is_intraday) -%}
    {%- set wanted = ['collected_traffic_source', 'session_traffic_source_last_click'] -%}
    {%- if not can_query_warehouse() -%}
        {{ return(wanted) }}
    {%- endif -%}
    {%- set wildcard = source('ga4', 'events_intraday' if is_intraday else 'events') -%}
    {%- set dataset = api.Relation.create(database=wildcard.database, schema=wildcard.schema) -%}
    {%- set shards = [] -%}
    {%- for relation in adapter.list_relations_without_caching(dataset) -%}
        {%- set name = relation.identifier -%}
        {%- if (is_intraday and name.startswith('events_intraday_'))
            or (not is_intraday and name.startswith('events_') and not name.startswith('events_intraday_')) -%}
            {%- do shards.append(relation) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not shards -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set newest = shards | sort(attribute='identifier') | last -%}
    {%- set stored = adapter.get_columns_in_relation(newest) | map(attribute='name') | map('lower') | list -%}
    {{ return(wanted | select('in', stored) | list) }}
{%- endmacro %}

{#
    The select-list of the seven fields staging uses, from an export table's row; a column in
    `present` (default: what ga4_traffic_source_columns_present finds) is read, else NULL.
#}
{% macro ga4_traffic_source_fields(is_intraday, present=none) -%}
    {%- set present = ga4_traffic_source_columns_present(is_intraday) if present is none else present -%}
    {%- set text = dbt.type_string() -%}
    {%- if 'collected_traffic_source' in present %}
        collected_traffic_source.manual_source as collected_source,
        collected_traffic_source.manual_medium as collected_medium,
        collected_traffic_source.manual_campaign_name as collected_campaign,
        collected_traffic_source.manual_campaign_id as collected_campaign_id,
        collected_traffic_source.gclid as collected_gclid,
        collected_traffic_source.dclid as collected_dclid,
    {%- else %}
        cast(null as {{ text }}) as collected_source,
        cast(null as {{ text }}) as collected_medium,
        cast(null as {{ text }}) as collected_campaign,
        cast(null as {{ text }}) as collected_campaign_id,
        cast(null as {{ text }}) as collected_gclid,
        cast(null as {{ text }}) as collected_dclid,
    {%- endif %}
    {%- if 'session_traffic_source_last_click' in present %}
        session_traffic_source_last_click.google_ads_campaign.campaign_name as google_ads_campaign_name
    {%- else %}
        cast(null as {{ text }}) as google_ads_campaign_name
    {%- endif %}
{%- endmacro %}

{#
    Each event's traffic source (docs/assumptions.md, "Traffic source of an event"), from the
    relation's param_source/medium/campaign/campaign_id/gclid and the fields above: every other
    column as it is, plus source, medium, campaign, campaign_id, gclid and dclid.
    - collected_traffic_source's manual source, medium, campaign and campaign id (utm_id), as a
      whole, when its source or medium is non-NULL (a missing source is then '(not set)'); else
      the params (`campaign_id` is the tag's utm_id); an empty campaign id is none;
    - a gclid (collected, else the param) and a dclid count only when non-empty;
    - an event with no source but a gclid is google / cpc (Google Ads auto-tagging); with a dclid
      only, '(not set)' (its channel is Display);
    - session_traffic_source_last_click names the campaign of a gclid event whose campaign is
      absent or '(not set)', and nothing else: for a session without a click of its own it holds
      an earlier session's click.
#}
{% macro ga4_event_traffic_source(relation) -%}
    select
        *,
        coalesce(chosen_source, case when gclid is not null then 'google' when dclid is not null then '(not set)' end) as source,
        case when chosen_source is null and gclid is not null then 'cpc' else chosen_medium end as medium,
        case
            when gclid is not null
                and coalesce(chosen_campaign, '(not set)') = '(not set)'
                and nullif(trim(google_ads_campaign_name), '') is not null
                and google_ads_campaign_name <> '(not set)'
                then google_ads_campaign_name
            else chosen_campaign
        end as campaign,
        nullif(trim(chosen_campaign_id), '') as campaign_id
    from (
        select
            *,
            case when has_collected_source then coalesce(collected_source, '(not set)') else param_source end as chosen_source,
            case when has_collected_source then collected_medium else param_medium end as chosen_medium,
            case when has_collected_source then collected_campaign else param_campaign end as chosen_campaign,
            case when has_collected_source then collected_campaign_id else param_campaign_id end as chosen_campaign_id
        from (
            select
                *,
                collected_source is not null or collected_medium is not null as has_collected_source,
                coalesce(nullif(trim(collected_gclid), ''), nullif(trim(param_gclid), '')) as gclid,
                nullif(trim(collected_dclid), '') as dclid
            from {{ relation }}
        ) as flagged
    ) as chosen
{%- endmacro %}
