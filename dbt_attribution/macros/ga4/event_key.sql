{#
    What staging de-duplicates events on: the streamed event_id when present, else the event's
    content (user, timestamp, name, bundle sequence id and the params' digest).
    DuckDB groups 4.3M events on a 128-bit integer (two 64-bit hashes) about 2 s faster than on an
    md5 text; BigQuery keeps the md5 text, which is also its event_key.
#}
{% macro event_dedup_key(event_id, user_pseudo_id, event_timestamp_micros, event_name, event_bundle_sequence_id, params_digest) %}
    {{ return(adapter.dispatch('event_dedup_key', 'dbt_attribution')(event_id, user_pseudo_id, event_timestamp_micros, event_name, event_bundle_sequence_id, params_digest)) }}
{% endmacro %}

{% macro default__event_dedup_key(event_id, user_pseudo_id, event_timestamp_micros, event_name, event_bundle_sequence_id, params_digest) -%}
    coalesce(
        md5_number({{ event_id }}),
        (hash({{ user_pseudo_id }}, {{ event_timestamp_micros }}, {{ event_name }}, {{ event_bundle_sequence_id }}, {{ params_digest }})::uhugeint << 64)
            | hash({{ params_digest }}, {{ event_bundle_sequence_id }}, {{ event_name }}, {{ event_timestamp_micros }}, {{ user_pseudo_id }}, 'content')::uhugeint
    )
{%- endmacro %}

{% macro bigquery__event_dedup_key(event_id, user_pseudo_id, event_timestamp_micros, event_name, event_bundle_sequence_id, params_digest) -%}
    coalesce(
        {{ event_id }},
        {{ dbt.hash(
            "coalesce(" ~ user_pseudo_id ~ ", '') || '|' || coalesce(cast(" ~ event_timestamp_micros ~ " as " ~ dbt.type_string() ~ "), '')"
            ~ " || '|' || coalesce(" ~ event_name ~ ", '') || '|' || coalesce(cast(" ~ event_bundle_sequence_id ~ " as " ~ dbt.type_string() ~ "), '')"
            ~ " || '|' || coalesce(" ~ params_digest ~ ", '')"
        ) }}
    )
{%- endmacro %}

{#
    An event's key as text, for the places that show or match it (conversion_id, the app's feed):
    the event_id verbatim when it has one (the feed matches streamed events by it), else the
    content key as hex. Staging stores the integer key on DuckDB (writing 4.3M random 32-character
    texts cost ~0.7 s per full build); BigQuery stores this text already.
    stg_ga4__events' table comment names the scheme (staging_event_key_scheme): a table keyed by
    another scheme is rebuilt, or an incremental load would store the same event twice.
#}
{% macro event_key_text(event_id, event_key) %}
    {{ return(adapter.dispatch('event_key_text', 'dbt_attribution')(event_id, event_key)) }}
{% endmacro %}

{% macro default__event_key_text(event_id, event_key) -%}
    coalesce({{ event_id }}, to_hex({{ event_key }}))
{%- endmacro %}

{% macro bigquery__event_key_text(event_id, event_key) -%}
    coalesce({{ event_id }}, {{ event_key }})
{%- endmacro %}

{# The event_key scheme DuckDB's staging table is built with; change it whenever event_dedup_key or staging's columns change. #}
{% macro staging_event_key_scheme() -%}
    event_key: UHUGEINT, md5_number(event_id), else two 64-bit DuckDB hashes of the content; user_key per stream (v4)
{%- endmacro %}

{#
    Post-hook of stg_ga4__events on DuckDB: stamps the table with its event_key scheme; with
    copies_pending, with a stamp no build accepts, until the load's repeated copies are deleted.
#}
{% macro stamp_staging_event_key_scheme(copies_pending=false) -%}
    comment on table {{ this }} is '{{ staging_event_key_scheme() }}{{ " (repeated copies not yet removed)" if copies_pending }}'
{%- endmacro %}

{# True when DuckDB's stored staging table was keyed by another scheme than this project's (or is unstamped). #}
{% macro staging_event_key_scheme_outdated(relation) -%}
    {%- if target.type == 'bigquery' -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set stamp = run_query(
        "select comment from duckdb_tables() where database_name = '" ~ relation.database ~ "'"
        ~ " and schema_name = '" ~ relation.schema ~ "' and table_name = '" ~ relation.identifier ~ "'"
    ) -%}
    {{ return(stamp.rows | length == 0 or stamp.rows[0][0] != staging_event_key_scheme()) }}
{%- endmacro %}
