{#
    A ref for a view's body. DuckDB stores a view's text and binds it in the database that holds
    the view, so its references leave out the database name: the file is attached under another
    name by the app ("wh") and opened under its own by the CLI, and a reference to dbt's
    "attribution_warehouse" would fail there. BigQuery resolves a name without a project in the
    querying job's project, so it keeps the full name.
#}
{% macro same_database_ref(model_name) %}
    {{ return(adapter.dispatch('same_database_ref', 'dbt_attribution')(model_name)) }}
{% endmacro %}

{% macro default__same_database_ref(model_name) -%}
    {{ return(ref(model_name)) }}
{%- endmacro %}

{% macro duckdb__same_database_ref(model_name) -%}
    {{ return(ref(model_name).include(database=false)) }}
{%- endmacro %}
