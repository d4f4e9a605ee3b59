{#
    Who an event belongs to. Staging's user_key is a device: the user_pseudo_id (else 'anon:' ||
    ga_session_id) within its stream, so the same id in two streams is two devices. With user-id
    stitching on, every device that carried a user_id belongs to the person 'uid:' || its latest
    user_id (int_devices_stitched); the models after staging key users by that person, while
    sessions stay per device. See docs/assumptions.md, "Users and sessions".
#}

{# A device key: the stream id, '/', then the id within the stream; the id alone when the export has no stream_id. #}
{% macro device_key_sql(stream_id, id_in_stream) -%}
    case
        when {{ stream_id }} is null then {{ id_in_stream }}
        else {{ stream_id }} || '/' || {{ id_in_stream }}
    end
{%- endmacro %}

{# The export's user_id, trimmed; NULL and '' are no signed-in id. #}
{% macro ga4_user_id(user_id) -%}
    nullif(trim({{ user_id }}), '')
{%- endmacro %}

{# A signed-in person's user_key; the prefix keeps it apart from device keys. #}
{% macro person_key_sql(user_id) -%}
    'uid:' || {{ user_id }}
{%- endmacro %}

{# The var user_id_stitching as a boolean (default true); anything else stops the run with a message. #}
{% macro attribution_user_id_stitching() %}
    {%- set raw = var('user_id_stitching', true) -%}
    {%- if raw is sameas true or (raw | string | lower | trim) in ['true', '1', 'on'] -%}
        {{ return(true) }}
    {%- elif raw is sameas false or (raw | string | lower | trim) in ['false', '0', 'off'] -%}
        {{ return(false) }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error(
        "var user_id_stitching must be true or false, got '" ~ raw ~ "'. Example: --vars '{user_id_stitching: false}'"
    ) }}
{% endmacro %}

{#
    The person (user_key of the models after staging) of a device, as an expression over the
    device key and the stitched device's person (a left join on int_devices_stitched); the device
    itself when stitching is off or the device never signed in.
#}
{% macro person_of_device_sql(device_key, stitched_person_key) -%}
    {%- if attribution_user_id_stitching() -%}
        coalesce({{ stitched_person_key }}, {{ device_key }})
    {%- else -%}
        {{ device_key }}
    {%- endif -%}
{%- endmacro %}

{#
    The devices whose events an incremental run re-reads: those of the persons in int_users_changed
    (a changed person listed as a device key is that device; stitched devices via int_devices_stitched).
#}
{% macro changed_devices_sql() -%}
    select user_key as device_key from {{ ref('int_users_changed') }}
    {%- if attribution_user_id_stitching() %}
    union all
    select device_key from {{ ref('int_devices_stitched') }}
    where person_key in (select user_key from {{ ref('int_users_changed') }})
    {%- endif %}
{%- endmacro %}

{#
    True when the last complete build (rpt_build_info) applied another user_id_stitching than this
    run, or does not say: the persons of every signed-in device then change. False without a build.
#}
{% macro user_id_stitching_changed_since_build() %}
    {%- if not can_query_warehouse() -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set build_info = adapter.get_relation(this.database, this.schema, 'rpt_build_info') -%}
    {%- if build_info is none -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set stored = adapter.get_columns_in_relation(build_info) | map(attribute='name') | map('lower') | list -%}
    {%- if 'is_user_id_stitching_on' not in stored -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set rows = run_query("select is_user_id_stitching_on from " ~ build_info).rows -%}
    {{ return(rows | length == 0 or rows[0][0] != attribution_user_id_stitching()) }}
{% endmacro %}
