{#
    What a raw row must hold to be staged. The app's importer and streamer refuse the same rows at the
    door (src/main/warehouse/event-bounds.ts, checked against these by a test); staging sets aside
    any that reached the raw tables anyway (a BigQuery export, a warehouse from an older version), so
    one bad value never fails a build, and rpt_data_quality counts them (events_set_aside).
#}

{# Largest amount in USD, either sign, a revenue or event value may have. #}
{% macro max_amount_usd() -%}
    {{ return(1000000000000) }}
{%- endmacro %}

{# The first day an event may have: GA4 did not exist before. #}
{% macro first_event_date() -%}
    {{ return('2015-01-01') }}
{%- endmacro %}

{# Days after the run's start an event may have: clocks of senders run a little ahead. #}
{% macro future_event_days() -%}
    {{ return(1) }}
{%- endmacro %}

{# False for NaN and the infinities, which a FLOAT64 / DOUBLE column can hold and no decimal can. #}
{% macro is_finite_number(number) %}
    {{ return(adapter.dispatch('is_finite_number', 'dbt_attribution')(number)) }}
{% endmacro %}

{% macro default__is_finite_number(number) -%}
    isfinite({{ number }})
{%- endmacro %}

{% macro bigquery__is_finite_number(number) -%}
    not (is_inf({{ number }}) or is_nan({{ number }}))
{%- endmacro %}

{#
    True when a raw row can be staged: its timestamp from first_event_date() to the run's start plus
    future_event_days(); revenue and event value finite and within max_amount_usd(), purchase
    revenue negative only on a refund. Never NULL. The importer and streamer also refuse an
    event_date more than a day from the timestamp; staging does not re-check it (no build fails on
    it, and parsing every row's date would cost each full build).
#}
{% macro ga4_row_is_usable(event_name, event_timestamp, purchase_revenue_usd, event_value_usd) -%}
    {%- set first_micros = (modules.datetime.datetime.strptime(first_event_date(), '%Y-%m-%d').replace(tzinfo=modules.pytz.utc).timestamp() * 1000000) | int -%}
    {%- set last_micros = (run_started_at.timestamp() * 1000000) | int + future_event_days() * 86400000000 -%}
    coalesce(
        {{ event_timestamp }} between {{ first_micros }} and {{ last_micros }}
        and (
            {{ purchase_revenue_usd }} is null
            or (
                {{ is_finite_number(purchase_revenue_usd) }}
                and abs({{ purchase_revenue_usd }}) <= {{ max_amount_usd() }}
                and ({{ purchase_revenue_usd }} >= 0 or {{ event_name }} = 'refund')
            )
        )
        and (
            {{ event_value_usd }} is null
            or ({{ is_finite_number(event_value_usd) }} and abs({{ event_value_usd }}) <= {{ max_amount_usd() }})
        ),
        false
    )
{%- endmacro %}

{# ga4_row_is_usable over a raw export table's own columns. #}
{% macro ga4_raw_row_is_usable() -%}
    {{ ga4_row_is_usable('event_name', 'event_timestamp', 'ecommerce.purchase_revenue_in_usd', 'event_value_in_usd') }}
{%- endmacro %}

{#
    How many raw rows staging set aside. DuckDB counts them from the raw tables; on BigQuery that
    count would scan every events_* shard (10 MB billed per shard, ~1 GB a build on the public
    sample), so it is NULL there and such rows count among duplicate_events_removed.
#}
{% macro ga4_set_aside_events_count_sql() %}
    {{ return(adapter.dispatch('ga4_set_aside_events_count_sql', 'dbt_attribution')()) }}
{% endmacro %}

{% macro default__ga4_set_aside_events_count_sql() -%}
    select count(*) as set_aside_events
    from (
        select event_name
        from {{ source('ga4', 'events') }}
        where not {{ ga4_raw_row_is_usable() }}
        union all
        select event_name
        from {{ source('ga4', 'events_intraday') }}
        where not {{ ga4_raw_row_is_usable() }}
    ) as unusable
{%- endmacro %}

{% macro bigquery__ga4_set_aside_events_count_sql() -%}
    select cast(null as {{ dbt.type_bigint() }}) as set_aside_events
{%- endmacro %}
