{#
    One md5 per mart over all its rows, each row as text, in text order: equal hashes mean equal
    contents whatever the physical row order. rpt_build_info is left out (it names the run).
    `dbt run-operation mart_content_hashes` prints one JSON line; compare two builds with it.
#}
{% macro mart_content_hashes(marts=['fct_attribution_credits', 'agg_channel_transitions', 'agg_user_last_conversions', 'rpt_data_quality']) %}
    {%- set queries = [] -%}
    {%- for mart in marts -%}
        {%- do queries.append(mart_content_hash_sql(mart, adapter.quote(target.schema) ~ '.' ~ adapter.quote(mart))) -%}
    {%- endfor -%}
    {%- set rows = run_query(queries | join('\nunion all\n')).rows -%}
    {%- set hashes = {} -%}
    {%- for row in rows -%}
        {%- do hashes.update({row['mart']: {'rows': row['row_count'] | int, 'md5': row['content_md5']}}) -%}
    {%- endfor -%}
    {{ print(tojson(hashes, sort_keys=true)) }}
{% endmacro %}

{% macro mart_content_hash_sql(mart, relation) %}
    {{ return(adapter.dispatch('mart_content_hash_sql', 'dbt_attribution')(mart, relation)) }}
{% endmacro %}

{% macro default__mart_content_hash_sql(mart, relation) -%}
    select '{{ mart }}' as mart, count(*) as row_count,
        md5(coalesce(string_agg(cast(t as varchar), '|' order by cast(t as varchar)), '')) as content_md5
    from {{ relation }} as t
{%- endmacro %}

{% macro bigquery__mart_content_hash_sql(mart, relation) -%}
    select '{{ mart }}' as mart, count(*) as row_count,
        to_hex(md5(coalesce(string_agg(to_json_string(t), '|' order by to_json_string(t)), ''))) as content_md5
    from {{ relation }} as t
{%- endmacro %}
