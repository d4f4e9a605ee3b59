{{ config(materialized='view') }}
{#-
    The credit every rule-based model gives each session of every conversion, one row per
    (conversion, model, lookback range, credited session): fct_attribution_credit_splits' columns
    per model turned into rows, the shape the app, the CLI, the tests and the other marts read.
    Rows where a model gives no unit (first click's later sessions) are left out, as they always
    were. A query that names its models (`attribution_model in (...)` with constants) reads only
    their columns: DuckDB drops the other branches of the union.
-#}
-- depends_on: {{ ref('fct_attribution_credit_splits') }}
{%- set splits = same_database_ref('fct_attribution_credit_splits') %}
{%- for model in rule_based_attribution_models() %}

select
    conversion_id,
    conversion_event_name,
    '{{ model }}' as attribution_model,
    min_lookback_days,
    max_lookback_days,
    touch_position,
    touches,
    {{ model }}_credit_micros as credit_micros,
    {{ model }}_revenue_cents as credited_revenue_cents,
    converted_at,
    conversion_date,
    user_key,
    stream_id,
    revenue_usd,
    credited_session_key,
    credited_ga_session_id,
    credited_session_started_at,
    source,
    medium,
    campaign,
    campaign_id,
    channel
from {{ splits }}
where {{ model }}_credit_micros > 0 or {{ model }}_revenue_cents > 0
{%- if not loop.last %}

union all
{%- endif %}
{%- endfor %}
