{#
    BigQuery: read and rewrite only recent partitions on an incremental run, so a refresh bills
    megabytes instead of the whole export and marts. DuckDB gets none of this (the default__
    macros return none/true) and keeps its own incremental design. The argument for why the
    skipped partitions cannot change is in docs/bigquery-costs.md, "Why recent partitions suffice".
#}

{# Days before the earliest date of newly loaded rows that the per-user models recompute (sessions may span midnight; event_date is in the property's time zone). #}
{% macro bigquery_recompute_margin_days() -%}
    {{ return(2) }}
{%- endmacro %}

{# True when the GA4 dataset has intraday tables to read; BigQuery errors on a wildcard that matches no table. #}
{% macro ga4_has_intraday_tables() %}
    {{ return(adapter.dispatch('ga4_has_intraday_tables', 'dbt_attribution')()) }}
{% endmacro %}

{% macro default__ga4_has_intraday_tables() -%}
    {{ return(true) }}
{%- endmacro %}

{# Lists the dataset's tables (an API call, not a billed query) while models execute; offline (parse, --no-introspect) the wildcard stays, so the SQL can be checked. #}
{% macro bigquery__ga4_has_intraday_tables() -%}
    {%- if not can_query_warehouse() -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set intraday = source('ga4', 'events_intraday') -%}
    {%- set dataset = api.Relation.create(database=intraday.database, schema=intraday.schema) -%}
    {%- for relation in adapter.list_relations_without_caching(dataset) -%}
        {%- if relation.identifier.startswith('events_intraday_') -%}
            {{ return(true) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(false) }}
{%- endmacro %}

{# No rows, with the columns and types stg_ga4__events selects from an export table; stands in for the intraday wildcard when the dataset has no intraday tables. #}
{% macro ga4_empty_events_sql(is_intraday) -%}
    select
        cast(null as string) as event_date,
        cast(null as int64) as event_timestamp,
        cast(null as string) as event_name,
        cast(null as array<struct<key string, value struct<string_value string, int_value int64, float_value float64, double_value float64>>>) as event_params,
        cast(null as int64) as event_bundle_sequence_id,
        cast(null as float64) as event_value_in_usd,
        cast(null as string) as user_pseudo_id,
        cast(null as string) as user_id,
        cast(null as string) as stream_id,
        cast(null as string) as platform,
        cast(null as float64) as ecommerce_purchase_revenue_in_usd,
        cast(null as string) as ecommerce_transaction_id,
        cast(null as int64) as load_seq,
        {{- ga4_traffic_source_fields(is_intraday, present=[]) }},
        {{ 'true' if is_intraday else 'false' }} as is_intraday
    limit 0
{%- endmacro %}

{#
    The partitions an incremental BigQuery run recomputes, from partition metadata (no table data):
    new_rows_from_date = earliest stg_ga4__events partition written since the last complete build
    (rpt_build_info.built_at, less an hour for clock skew), hence <= event_date of every row loaded
    since; recompute_from_date = that minus bigquery_recompute_margin_days(). Returns none on DuckDB,
    offline, or without a previous build (the models then run as before).
#}
{% macro bigquery_refresh_bounds() %}
    {{ return(adapter.dispatch('bigquery_refresh_bounds', 'dbt_attribution')()) }}
{% endmacro %}

{% macro default__bigquery_refresh_bounds() -%}
    {{ return(none) }}
{%- endmacro %}

{% macro bigquery__bigquery_refresh_bounds() -%}
    {%- set built_at = marts_built_at_sql() -%}
    {%- if built_at is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set sql -%}
        select min(safe.parse_date('%Y%m%d', partition_id)) as new_rows_from_date
        from {{ adapter.quote(this.database) }}.{{ adapter.quote(this.schema) }}.INFORMATION_SCHEMA.PARTITIONS
        where table_name = 'stg_ga4__events'
            and last_modified_time > timestamp_sub({{ built_at }}, interval 1 hour)
    {%- endset -%}
    {%- set new_rows_from = run_query(sql).rows[0]['new_rows_from_date'] -%}
    {%- if new_rows_from is none -%}
        {#- Nothing loaded since the build: int_users_changed is empty, any bound will do. -#}
        {%- set new_rows_from = run_started_at.date() -%}
    {%- endif -%}
    {{ return(bigquery_refresh_bounds_from(new_rows_from)) }}
{%- endmacro %}

{#
    The bounds for a given earliest new-row date, as SQL literals (pure, so it can be checked offline):
    recompute_from_date H = new_rows_from - margin; sessions are recomputed from H 00:00 UTC;
    conversions (and their touchpoints and credits) from T = H 00:00 UTC - 1 day, which is before
    local midnight of H in any time zone; their sessions reach back 90 days more.
#}
{% macro bigquery_refresh_bounds_from(new_rows_from) -%}
    {%- set day = modules.datetime.timedelta(days=1) -%}
    {%- set recompute_from = new_rows_from - day * bigquery_recompute_margin_days() -%}
    {%- set epoch = modules.datetime.date(1970, 1, 1) -%}
    {%- set sessions_from_micros = (recompute_from - epoch).days * micros_per_day() -%}
    {%- set conversions_from_micros = sessions_from_micros - micros_per_day() -%}
    {%- set touchpoint_sessions_from = recompute_from - day * (max_lookback_days() + 1) -%}
    {{ return({
        'new_rows_from_date': "date '" ~ new_rows_from.strftime('%Y-%m-%d') ~ "'",
        'recompute_from_date': "date '" ~ recompute_from.strftime('%Y-%m-%d') ~ "'",
        'session_events_from_date': "date '" ~ (recompute_from - day).strftime('%Y-%m-%d') ~ "'",
        'sessions_from_micros': sessions_from_micros,
        'sessions_from_at': "timestamp '" ~ recompute_from.strftime('%Y-%m-%d') ~ " 00:00:00+00'",
        'conversions_from_micros': conversions_from_micros,
        'conversions_from_at': "timestamp '" ~ (recompute_from - day).strftime('%Y-%m-%d') ~ " 00:00:00+00'",
        'conversions_from_date': "date '" ~ (recompute_from - day * 2).strftime('%Y-%m-%d') ~ "'",
        'touchpoint_sessions_from_at': "timestamp '" ~ touchpoint_sessions_from.strftime('%Y-%m-%d') ~ " 00:00:00+00'"
    }) }}
{%- endmacro %}

{#
    The rows of one incremental model that a BigQuery run recomputes, as a condition on its
    partition column first (so DELETE and reads prune partitions); none = all rows (DuckDB, no bounds).
    kind: sessions | conversions | touchpoints | conversion_facts (credits, attributed conversions).
#}
{% macro recent_rows_condition(kind, bounds, prefix='') -%}
    {%- if bounds is none -%}
        {{ return(none) }}
    {%- elif kind == 'sessions' -%}
        {{ return(prefix ~ "session_started_at >= " ~ bounds['sessions_from_at']) }}
    {%- elif kind == 'conversions' -%}
        {{ return(prefix ~ "conversion_date >= " ~ bounds['recompute_from_date']) }}
    {%- elif kind == 'touchpoints' -%}
        {{ return(prefix ~ "session_started_at >= " ~ bounds['touchpoint_sessions_from_at']
            ~ " and " ~ prefix ~ "session_started_micros + " ~ prefix ~ "lag_micros >= " ~ bounds['conversions_from_micros']) }}
    {%- elif kind == 'conversion_facts' -%}
        {{ return(prefix ~ "conversion_date >= " ~ bounds['conversions_from_date']
            ~ " and " ~ prefix ~ "converted_at >= " ~ bounds['conversions_from_at']) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("recent_rows_condition: unknown kind '" ~ kind ~ "'") }}
    {%- endif -%}
{%- endmacro %}

{# The pre-hook delete of the per-user models, limited on BigQuery to the partitions this run recomputes. #}
{% macro delete_recent_rows_of_changed_users(kind, extra_condition=none) %}
    {%- if is_incremental() -%}
        {{ return(delete_rows_of_changed_users(extra_condition=extra_condition, recent_condition=recent_rows_condition(kind, bigquery_refresh_bounds()))) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}

{#
    Script header of stg_ga4__events on BigQuery: declares staging_stored_from, the earliest
    event_date a stored copy of an event in this run's late-event window can have (newest stored
    partition, capped at today, less the window, a day for the time zone and a day of margin).
    The merge and the read of stored events both use it, so neither scans older partitions.
#}
{% macro bigquery_staging_sql_header() -%}
    {%- set days = ((attribution_late_event_window_hours() + 14) / 24) | round(0, 'ceil') | int + 2 -%}
    declare staging_stored_from date default (
        select date_sub(least(coalesce(max(safe.parse_date('%Y%m%d', partition_id)), current_date()), current_date()), interval {{ days }} day)
        from {{ adapter.quote(this.database) }}.{{ adapter.quote(this.schema) }}.INFORMATION_SCHEMA.PARTITIONS
        where table_name = '{{ this.identifier }}'
    );
{%- endmacro %}

{# Merge predicate of stg_ga4__events on BigQuery: the destination is scanned from staging_stored_from on only. #}
{% macro bigquery_staging_incremental_predicates() -%}
    {{ return(['DBT_INTERNAL_DEST.event_date >= staging_stored_from']) }}
{%- endmacro %}

{# Where-condition on the stored events an incremental staging load compares against: all of them on DuckDB, recent partitions on BigQuery. #}
{% macro stored_events_condition() %}
    {{ return(adapter.dispatch('stored_events_condition', 'dbt_attribution')()) }}
{% endmacro %}

{% macro default__stored_events_condition() -%}
    {{ return(none) }}
{%- endmacro %}

{% macro bigquery__stored_events_condition() -%}
    {{ return('event_date >= staging_stored_from') }}
{%- endmacro %}

{# The row count of the export's day tables (the select of rpt_data_quality's raw_day_events). #}
{% macro ga4_day_events_count_sql() %}
    {{ return(adapter.dispatch('ga4_day_events_count_sql', 'dbt_attribution')()) }}
{% endmacro %}

{% macro default__ga4_day_events_count_sql() -%}
    select count(*) as raw_events
    from {{ source('ga4', 'events') }}
    where {{ ga4_events_filter(is_intraday=false) }}
{%- endmacro %}

{#
    BigQuery: from table metadata (__TABLES__.row_count, exact for the batch-written day tables),
    since count(*) over events_* bills BigQuery's 10 MB minimum for every shard (~1 GB a run on the
    public sample). Intraday tables, which may have rows in the streaming buffer, are still counted.
#}
{% macro bigquery__ga4_day_events_count_sql() -%}
    {%- set events = source('ga4', 'events') -%}
    select coalesce(sum(row_count), 0) as raw_events
    from {{ adapter.quote(events.database) }}.{{ adapter.quote(events.schema) }}.__TABLES__
    where regexp_contains(table_id, r'^events_[0-9]{8}$')
{%- endmacro %}
