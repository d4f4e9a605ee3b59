{#
    Stores a table's rows in this order when it is built in full, so that an incremental run
    reading a few users skips DuckDB row groups by their min/max. BigQuery clusters the tables
    instead (cluster_by) and needs no sort. The models after staging use it; staging itself stays in
    load order since 2026-12-03 (its sort cost ~2 s per full build of 4.3M events and saved ~30 ms
    per incremental scan; DECISIONLOG #37).
#}
{% macro order_by_for_pruning(columns) %}
    {{ return(adapter.dispatch('order_by_for_pruning', 'dbt_attribution')(columns)) }}
{% endmacro %}

{% macro default__order_by_for_pruning(columns) -%}
    {%- if not is_incremental() -%}
        order by {{ columns | join(', ') }}
    {%- endif -%}
{%- endmacro %}

{% macro bigquery__order_by_for_pruning(columns) -%}
{%- endmacro %}
