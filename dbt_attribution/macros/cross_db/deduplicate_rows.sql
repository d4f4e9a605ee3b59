{#
    One row per partition_by value from a CTE or relation: the row that sorts first by the
    order_by expressions. Returns partition_by plus the listed columns.
    DuckDB keeps the winning row with arg_min over a struct, which skips the sort of a window
    (about 6 s less per 4M events). With keys_mostly_unique (partition_by one column) it counts the
    keys first and groups only the rows of repeated keys; the others pass straight through (another
    1.4 s less per 4.3M events, the needed columns held in memory once for the two passes; its order_by
    must then name columns).
    BigQuery uses row_number.
#}
{% macro deduplicate_rows(relation, partition_by, order_by, columns, keys_mostly_unique=false) %}
    {{ return(adapter.dispatch('deduplicate_rows', 'dbt_attribution')(relation, partition_by, order_by, columns, keys_mostly_unique)) }}
{% endmacro %}

{% macro default__deduplicate_rows(relation, partition_by, order_by, columns, keys_mostly_unique=false) -%}
    {%- if not keys_mostly_unique %}
    {{ first_row_per_key(relation, partition_by, order_by, columns) }}
    {%- else %}
    {%- set is_repeated -%}
        exists (
            select 1 from repeated_keys where repeated_keys.{{ partition_by }} is not distinct from dedup_rows.{{ partition_by }}
        )
    {%- endset %}
    {#- Only the columns the two passes read are held in memory (order_by names columns here). #}
    {%- set held = [partition_by] + columns %}
    {%- for column in order_by if column not in held %}
        {%- do held.append(column) %}
    {%- endfor %}
    with dedup_rows as materialized (

        select {{ held | join(', ') }} from {{ relation }}

    ),

    repeated_keys as (

        select {{ partition_by }}
        from dedup_rows
        group by {{ partition_by }}
        having count(*) > 1

    )

    -- Most keys occur once: those rows pass straight through.
    select
        {{ partition_by }},
        {{ columns | join(', ') }}
    from dedup_rows
    where not {{ is_repeated }}

    union all

    {{ first_row_per_key('dedup_rows', partition_by, order_by, columns, where=is_repeated) }}
    {%- endif %}
{%- endmacro %}

{# DuckDB: the first row per key by arg_min over a struct of the columns (optionally of the rows matching `where`). #}
{% macro first_row_per_key(relation, partition_by, order_by, columns, where=none) -%}
    select
        {{ partition_by }},
        unnest(arg_min(
            struct_pack({% for column in columns %}{{ column }} := {{ column }}{{ ', ' if not loop.last }}{% endfor %}),
            row({{ order_by | join(', ') }})
        ))
    from {{ relation }}
    {%- if where %}
    where {{ where }}
    {%- endif %}
    group by {{ partition_by }}
{%- endmacro %}

{% macro bigquery__deduplicate_rows(relation, partition_by, order_by, columns, keys_mostly_unique=false) -%}
    select
        {{ partition_by }},
        {{ columns | join(', ') }}
    from {{ relation }}
    where true
    qualify row_number() over (partition by {{ partition_by }} order by {{ order_by | join(', ') }}) = 1
{%- endmacro %}

{#
    DuckDB, as a post-hook: deletes from a table every row of a repeated partition_by value but the one
    that sorts first by order_by (on a tie the row stored first), among the rows matching `where`.
    For a load too large to de-duplicate in one statement: the table written is the one copy of the
    rows, where a two-pass de-duplication holds them all once more (100M events: 10 GB spilled).
#}
{% macro delete_repeated_rows(relation, partition_by, order_by, where='true') -%}
    delete from {{ relation }}
    where rowid in (
        select row_id
        from (
            select
                rowid as row_id,
                row_number() over (partition by {{ partition_by }} order by {{ order_by | join(', ') }}, rowid) as copy_number
            from {{ relation }}
            where {{ where }}
                and {{ partition_by }} in (
                    select {{ partition_by }}
                    from {{ relation }}
                    where {{ where }}
                    group by {{ partition_by }}
                    having count(*) > 1
                )
        ) as copies
        where copy_number > 1
    )
{%- endmacro %}
