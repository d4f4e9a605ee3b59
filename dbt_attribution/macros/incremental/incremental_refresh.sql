{#
    Incremental refresh: stg_ga4__events inserts only events it has not stored yet (read from a
    short window of recent raw rows), stamps them with loaded_at, and the models below it
    recompute only the users in int_users_changed. See docs/dbt-notes.md, "Incremental refresh".
#}

{# How the incremental models write their new rows: a plain insert on DuckDB (the rows they replace are deleted first), a merge on BigQuery, which has no append. #}
{% macro attribution_incremental_strategy() %}
    {{ return(adapter.dispatch('attribution_incremental_strategy', 'dbt_attribution')()) }}
{% endmacro %}

{% macro default__attribution_incremental_strategy() -%}
    {{ return('append') }}
{%- endmacro %}

{% macro bigquery__attribution_incremental_strategy() -%}
    {{ return('merge') }}
{%- endmacro %}

{# The var late_event_window_hours as a whole number of hours (0..8760); anything else stops the run. #}
{% macro attribution_late_event_window_hours() %}
    {%- set raw = var('late_event_window_hours', 72) -%}
    {%- set text = raw | string | trim -%}
    {%- if raw is sameas true or raw is sameas false or not text.isdigit() or (text | int) > 8760 -%}
        {{ exceptions.raise_compiler_error(
            "var late_event_window_hours must be a whole number of hours from 0 to 8760, got '" ~ raw
            ~ "'. Example: --vars '{late_event_window_hours: 72}'"
        ) }}
    {%- endif -%}
    {{ return(text | int) }}
{% endmacro %}

{# This run's start (UTC, microseconds) as a SQL timestamp: stamps loaded rows and rpt_build_info alike, so the two compare exactly. #}
{% macro run_started_at_sql() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#
    What an incremental load of stg_ga4__events reads, as {'since_micros', 'read_day_table'}:
    raw rows from since_micros on (the newest stored event, never later than now, minus var
    late_event_window_hours; none = every row) and whether the day table is read at all.
    Every raw row is read in a full build, into an empty table, or after export files were imported.
#}
{% macro staging_load_plan() %}
    {%- set read_everything = {'since_micros': none, 'read_day_table': true} -%}
    {%- if not (execute and is_incremental()) -%}
        {{ return(read_everything) }}
    {%- endif -%}
    {%- set stored = run_query(
        "select max(event_timestamp_micros) as newest_micros, max(loaded_at) as last_loaded_at from " ~ this
    ).rows[0] -%}
    {%- set imports = raw_imports_since(stored['last_loaded_at']) -%}
    {%- if stored['newest_micros'] is none or imports == 'imported' -%}
        {{ return(read_everything) }}
    {%- endif -%}
    {%- set now_micros = (run_started_at.timestamp() * 1000000) | int -%}
    {%- set newest_micros = [stored['newest_micros'] | int, now_micros] | min -%}
    {{ return({
        'since_micros': newest_micros - attribution_late_event_window_hours() * 3600 * 1000000,
        'read_day_table': imports != 'none'
    }) }}
{% endmacro %}

{#
    Whether export files were imported after the last staging load: 'imported', 'none', or
    'unknown'. The embedded warehouse's importer logs every file it writes (day tables and sample
    data alike) in ga4.import_log, and only the importer writes the day table; the streamer writes
    the intraday table only. So with the log present and no newer file, the day table is unchanged
    and an incremental load skips it. BigQuery rewrites day shards itself: 'unknown' (read by window).
#}
{% macro raw_imports_since(last_loaded_at) %}
    {{ return(adapter.dispatch('raw_imports_since', 'dbt_attribution')(last_loaded_at)) }}
{% endmacro %}

{% macro default__raw_imports_since(last_loaded_at) %}
    {%- set events = source('ga4', 'events') -%}
    {%- set import_log = adapter.get_relation(events.database, events.schema, 'import_log') -%}
    {%- if import_log is none -%}
        {{ return('unknown') }}
    {%- endif -%}
    {%- if last_loaded_at is none -%}
        {{ return('imported') }}
    {%- endif -%}
    {#- imported_at is the importer's local wall time; loaded_at is UTC. Both processes share the machine's time zone. -#}
    {%- set newer = run_query(
        "select count(*) as n from " ~ import_log
        ~ " where cast(imported_at as timestamptz) > cast('" ~ last_loaded_at.strftime("%Y-%m-%d %H:%M:%S.%f") ~ "+00' as timestamptz)"
    ).rows[0]['n'] -%}
    {{ return('imported' if newer > 0 else 'none') }}
{% endmacro %}

{% macro bigquery__raw_imports_since(last_loaded_at) %}
    {{ return('unknown') }}
{% endmacro %}

{#
    When the marts were last completely built (rpt_build_info.built_at, the previous run's
    run_started_at), as a SQL literal; none when unknown. Staging rows loaded after it belong to
    users whose downstream rows are not yet current.
#}
{% macro marts_built_at_sql() %}
    {%- if not can_query_warehouse() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set build_info = adapter.get_relation(this.database, this.schema, 'rpt_build_info') -%}
    {%- if build_info is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set built_at = run_query("select max(built_at) as built_at from " ~ build_info).rows[0]['built_at'] -%}
    {%- if built_at is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return("cast('" ~ built_at.strftime("%Y-%m-%d %H:%M:%S.%f") ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
{% endmacro %}

{#
    Pre-hook of the per-user incremental models: before new rows go in, delete every row of the
    changed users (and rows matching extra_condition), so a row that should no longer exist goes too.
#}
{% macro delete_rows_of_changed_users(extra_condition=none) %}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where user_key in (select user_key from {{ ref('int_users_changed') }})
        {%- if extra_condition %}
            or ({{ extra_condition }})
        {%- endif %}
    {%- endif -%}
{% endmacro %}

{#
    Before anything is built: an incremental table left by an earlier version of this project lacks
    the bookkeeping columns; drop the incremental models then, so this run rebuilds them in full.
#}
{% macro drop_outdated_incremental_models() %}
    {%- if not can_query_warehouse() -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- set required = {'stg_ga4__events': 'loaded_at', 'int_touchpoints_joined_to_conversions': 'user_key'} -%}
    {%- set outdated = [] -%}
    {%- for name, column in required.items() -%}
        {%- set relation = adapter.get_relation(target.database, target.schema, name) -%}
        {%- if relation is not none
            and column not in (adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list) -%}
            {%- do outdated.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if outdated -%}
        {%- for node in graph.nodes.values()
            if node.resource_type == 'model' and node.package_name == project_name and node.config.materialized == 'incremental' -%}
            {%- set relation = adapter.get_relation(target.database, target.schema, node.alias) -%}
            {%- if relation is not none -%}
                {{ log("Dropping " ~ relation ~ ": built by an earlier, non-incremental version of the project.", info=true) }}
                {%- do adapter.drop_relation(relation) -%}
            {%- endif -%}
        {%- endfor -%}
        {#- Hooks' own statements are rolled back at the end of on-run-start; keep the drops. -#}
        {%- do adapter.commit() -%}
    {%- endif -%}
    {{ return('select 1') }}
{% endmacro %}

{# Rows of fct_attributed_conversions built with another lookback_days or conversion_events than this run's. #}
{% macro stale_attributed_conversions_condition() -%}
    lookback_days <> {{ attribution_lookback_days() }}
    or conversion_event_name not in ({{ conversion_events_sql(attribution_conversion_events()) }})
{%- endmacro %}

{#
    dbt's is_incremental, except false when dbt may not query the warehouse (`compile
    --no-introspect`): the models then compile offline as their full-build SQL instead of failing.
#}
{% macro is_incremental() %}
    {%- if not can_query_warehouse() -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(dbt.is_incremental()) }}
{% endmacro %}

{# True while models execute and dbt may query the warehouse (not at parse time, not under --no-introspect). #}
{% macro can_query_warehouse() %}
    {{ return(execute and flags.INTROSPECT is not sameas false) }}
{% endmacro %}
