{#
    Incremental refresh: stg_ga4__events inserts only events it has not stored yet (read from the
    raw rows stored since its last load), stamps them with loaded_at, and the models below it
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

{#
    The unique_key of the per-user models: the key on DuckDB (append ignores it); none on BigQuery,
    so dbt's merge is `on false ... when not matched then insert`, an insert that reads no
    destination partition (BigQuery bills a MERGE with only INSERT clauses for its source alone).
    The pre-hook has already deleted every row the insert replaces.
#}
{% macro attribution_unique_key(key) %}
    {{ return(adapter.dispatch('attribution_unique_key', 'dbt_attribution')(key)) }}
{% endmacro %}

{% macro default__attribution_unique_key(key) -%}
    {{ return(key) }}
{%- endmacro %}

{% macro bigquery__attribution_unique_key(key) -%}
    {{ return(none) }}
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
    Which raw rows an incremental load of stg_ga4__events reads, as {'after_load_seq', 'since_micros'}
    (none = no bound; both none = every row, as in a full build or into an empty table).
    The embedded warehouse numbers raw rows as they are stored (column _load_seq), so a load reads
    exactly the rows stored since the last one, however old their events: incremental runs then
    equal a full refresh. BigQuery's export tables are Google's and carry no such number: see
    bigquery__staging_load_plan.
#}
{% macro staging_load_plan() %}
    {%- if not (execute and is_incremental()) -%}
        {{ return({'after_load_seq': none, 'since_micros': none}) }}
    {%- endif -%}
    {{ return(adapter.dispatch('staging_load_plan', 'dbt_attribution')()) }}
{% endmacro %}

{% macro default__staging_load_plan() %}
    {%- set stored = run_query("select max(loaded_through_seq) as loaded_through_seq from " ~ this).rows[0] -%}
    {%- if stored['loaded_through_seq'] is none -%}
        {{ return({'after_load_seq': none, 'since_micros': none}) }}
    {%- endif -%}
    {{ return({'after_load_seq': stored['loaded_through_seq'] | int, 'since_micros': none}) }}
{% endmacro %}

{#
    BigQuery: GA4 writes an event into the day shard of its date and rewrites shards for up to 72
    hours; it drops hits older than that. So a load re-reads the shards from var
    late_event_window_hours before the newest stored event (never later than now).
#}
{% macro bigquery__staging_load_plan() %}
    {#- The newest event lies in the newest partition (event_date rises with event time): read that one only. -#}
    {%- set newest_partition = run_query(
        "select max(safe.parse_date('%Y%m%d', partition_id)) as newest_date from "
        ~ adapter.quote(this.database) ~ "." ~ adapter.quote(this.schema) ~ ".INFORMATION_SCHEMA.PARTITIONS"
        ~ " where table_name = '" ~ this.identifier ~ "'"
    ).rows[0]['newest_date'] -%}
    {%- set stored = run_query(
        "select max(event_timestamp_micros) as newest_micros from " ~ this
        ~ ((" where event_date >= date '" ~ (newest_partition - modules.datetime.timedelta(days=1)).strftime('%Y-%m-%d') ~ "'") if newest_partition is not none else "")
    ).rows[0] -%}
    {%- if stored['newest_micros'] is none -%}
        {{ return({'after_load_seq': none, 'since_micros': none}) }}
    {%- endif -%}
    {%- set now_micros = (run_started_at.timestamp() * 1000000) | int -%}
    {%- set newest_micros = [stored['newest_micros'] | int, now_micros] | min -%}
    {{ return({
        'after_load_seq': none,
        'since_micros': newest_micros - attribution_late_event_window_hours() * 3600 * 1000000
    }) }}
{% endmacro %}

{#
    The highest load number among the raw rows this load reads, as a scalar subquery. It reads the
    sources' _load_seq again rather than the unioned rows, so those are not materialised for it
    (that cost ~20% of a full staging build); each Parquet file's constant number is read from no
    data page. BigQuery rows have no load number.
#}
{% macro loaded_through_seq_sql(load_plan) %}
    {{ return(adapter.dispatch('loaded_through_seq_sql', 'dbt_attribution')(load_plan)) }}
{% endmacro %}

{% macro default__loaded_through_seq_sql(load_plan) -%}
    (select max(load_seq) from (
        select {{ ga4_load_seq_column() }} as load_seq from {{ source('ga4', 'events') }}
        where {{ ga4_events_filter(is_intraday=false, load_plan=load_plan) }}
        union all
        select {{ ga4_load_seq_column() }} as load_seq from {{ source('ga4', 'events_intraday') }}
        where {{ ga4_events_filter(is_intraday=true, load_plan=load_plan) }}
    ))
{%- endmacro %}

{% macro bigquery__loaded_through_seq_sql(load_plan) -%}
    cast(null as int64)
{%- endmacro %}

{# The raw rows' load number as a column (DuckDB's _load_seq); NULL on BigQuery, whose export has none. #}
{% macro ga4_load_seq_column() %}
    {{ return(adapter.dispatch('ga4_load_seq_column', 'dbt_attribution')()) }}
{% endmacro %}

{% macro default__ga4_load_seq_column() -%}
    _load_seq
{%- endmacro %}

{% macro bigquery__ga4_load_seq_column() -%}
    cast(null as int64)
{%- endmacro %}

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
    recent_condition (BigQuery, see recent_rows_condition) limits the changed users' rows to the
    partitions this run recomputes.
#}
{% macro delete_rows_of_changed_users(extra_condition=none, recent_condition=none) %}
    {%- if is_incremental() -%}
        delete from {{ this }}
        {%- if recent_condition %}
        where (user_key in (select user_key from {{ ref('int_users_changed') }}) and {{ recent_condition }})
        {%- else %}
        where user_key in (select user_key from {{ ref('int_users_changed') }})
        {%- endif %}
        {%- if extra_condition %}
            or ({{ extra_condition }})
        {%- endif %}
    {%- endif -%}
{% endmacro %}

{#
    Before anything is built: an incremental table left by an earlier version of this project lacks
    the bookkeeping columns, or still has a retired one, or (DuckDB staging) was keyed by another
    event_key scheme; drop the incremental models then, so this run rebuilds them in full.
#}
{% macro drop_outdated_incremental_models() %}
    {%- if not can_query_warehouse() -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- set required = {'stg_ga4__events': 'usd_value_param', 'int_touchpoints_joined_to_conversions': 'conversion_event_name', 'fct_attribution_credits': 'credit_micros', 'agg_channel_transitions': 'cut_event_name'} -%}
    {#- Columns a model no longer has: an incremental insert into a table that still has them would fail. -#}
    {%- set retired = {'stg_ga4__events': ['event_at', 'session_key', 'page_location']} -%}
    {#- Sessions (and staging) gained dclid with the export's traffic-source fields; tables built before lack it. -#}
    {%- do required.update({'int_sessions_classified': 'dclid'}) -%}
    {#- User-id stitching and streams: staging keeps user_id and the stream, the models after it the stream. -#}
    {%- set identity_columns = {
        'stg_ga4__events': 'stream_id', 'int_sessions_classified': 'stream_id', 'int_conversions_deduplicated': 'stream_id',
        'fct_attribution_credits': 'stream_id', 'agg_channel_transitions': 'stream_id'} -%}
    {%- for name, column in identity_columns.items() if name not in required -%}
        {%- do required.update({name: column}) -%}
    {%- endfor -%}
    {#- Staging gained has_ignore_referrer with unwanted referrals, and it and the models after it the
        campaign id with cost and return; tables built before lack them. -#}
    {%- set also_required = {
        'stg_ga4__events': ['has_ignore_referrer', 'campaign_id'], 'int_sessions_classified': ['campaign_id'],
        'int_touchpoints_joined_to_conversions': ['campaign_id'], 'fct_attribution_credits': ['campaign_id']} -%}
    {%- set outdated = [] -%}
    {%- for name, column in required.items() -%}
        {%- set relation = adapter.get_relation(target.database, target.schema, name) -%}
        {%- if relation is not none -%}
            {%- set stored = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
            {%- if column not in stored or identity_columns.get(name, column) not in stored
                or (retired.get(name, []) | select('in', stored) | list)
                or (also_required.get(name, []) | reject('in', stored) | list)
                or (name == 'stg_ga4__events' and staging_event_key_scheme_outdated(relation)) -%}
                {%- do outdated.append(name) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {#- The credit splits hold a column pair per rule-based model: a model added or removed since they
        were built changes their columns, and an incremental insert would drop or miss a model. -#}
    {%- set splits = adapter.get_relation(target.database, target.schema, 'fct_attribution_credit_splits') -%}
    {%- if splits is not none -%}
        {%- set stored = [] -%}
        {%- for column in adapter.get_columns_in_relation(splits) if (column.name | lower).endswith('_credit_micros') -%}
            {%- do stored.append(column.name | lower) -%}
        {%- endfor -%}
        {%- set expected = [] -%}
        {%- for model in rule_based_attribution_models() -%}
            {%- do expected.append(model ~ '_credit_micros') -%}
        {%- endfor -%}
        {%- if stored | sort != expected | sort -%}
            {%- do outdated.append('fct_attribution_credit_splits') -%}
        {%- endif -%}
    {%- endif -%}
    {%- if outdated -%}
        {%- for node in graph.nodes.values()
            if node.resource_type == 'model' and node.package_name == project_name and node.config.materialized == 'incremental'
                and node.config.full_refresh is not sameas false -%}
            {%- set relation = adapter.get_relation(target.database, target.schema, node.alias) -%}
            {%- if relation is not none -%}
                {{ log("Dropping " ~ relation ~ ": built by an earlier version of the project (other columns or event keys).", info=true) }}
                {%- do adapter.drop_relation(relation) -%}
            {%- endif -%}
        {%- endfor -%}
        {#- Hooks' own statements are rolled back at the end of on-run-start; keep the drops. -#}
        {%- do adapter.commit() -%}
    {%- endif -%}
    {{ return('select 1') }}
{% endmacro %}

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

{# True while models execute and dbt may query the warehouse (not at parse time, not under --no-introspect, not in a unit test, whose this and sources are fixture rows). #}
{% macro can_query_warehouse() %}
    {{ return(execute and flags.INTROSPECT is not sameas false and not is_unit_test()) }}
{% endmacro %}

{# True while dbt compiles a unit test: its refs, sources and this are fixture rows, not warehouse relations. #}
{% macro is_unit_test() %}
    {{ return(model is mapping and model.get('resource_type') == 'unit_test') }}
{% endmacro %}

{#
    The conversion events first asked for since the marts' last complete build, as a subquery: an
    incremental run models them for every user (every event, when the marts were never built).
#}
{% macro newly_modelled_conversion_events_sql() -%}
    {%- set marts_built_at = marts_built_at_sql() -%}
    (select conversion_event_name from {{ ref('int_conversion_events_modelled') }}
    {%- if marts_built_at is not none %} where modelled_since > {{ marts_built_at }}{% endif %})
{%- endmacro %}

{# Rows an incremental run recomputes: those of int_users_changed, and those of newly modelled conversion events. #}
{% macro changed_rows_condition(user_key='user_key', event_name='conversion_event_name') -%}
    ({{ user_key }} in (select user_key from {{ ref('int_users_changed') }})
        or {{ event_name }} in {{ newly_modelled_conversion_events_sql() }})
{%- endmacro %}

{# Delete condition for the rows of newly modelled conversion events (left by a run that did not complete). #}
{% macro newly_modelled_rows_condition(event_name='conversion_event_name') -%}
    {{ return(event_name ~ ' in ' ~ newly_modelled_conversion_events_sql()) }}
{%- endmacro %}
