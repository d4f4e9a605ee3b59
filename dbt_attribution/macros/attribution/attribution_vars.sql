{# The shortest lookback the app offers, in days. #}
{% macro min_lookback_days() -%}
    {{ return(1) }}
{%- endmacro %}

{# The largest lookback the app offers; fct_attribution_credits covers min..this many days. #}
{% macro max_lookback_days() -%}
    {{ return(90) }}
{%- endmacro %}

{# The lookback the app's views open with, in days. #}
{% macro default_lookback_days() -%}
    {{ return(14) }}
{%- endmacro %}

{# Microseconds in one day: windows are compared in integer microseconds, never in floats. #}
{% macro micros_per_day() -%}
    {{ return(86400000000) }}
{%- endmacro %}

{# A GA4 event name: a letter, then letters, digits and underscores, 40 characters at most (GA4's own rule). #}
{% macro ga4_event_name_pattern() -%}
    {{ return('^[A-Za-z][A-Za-z0-9_]{0,39}$') }}
{%- endmacro %}

{#
    The var conversion_events as a list of GA4 event names (any key event: purchase, generate_lead,
    a custom name); anything else stops the run with a message. Every name passed is kept modelled
    from then on (int_conversion_events_modelled).
#}
{% macro attribution_conversion_events() %}
    {%- set raw = var('conversion_events', ['purchase']) -%}
    {%- if raw is string -%}
        {%- set names = raw.split(',') -%}
    {%- elif raw is iterable and raw is not mapping -%}
        {%- set names = raw -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error("var conversion_events must be a list of event names, got '" ~ raw ~ "'.") }}
    {%- endif -%}
    {%- set events = [] -%}
    {%- for name in names -%}
        {%- set event = name | string | trim -%}
        {%- if not modules.re.match(ga4_event_name_pattern(), event) -%}
            {{ exceptions.raise_compiler_error(
                "var conversion_events must hold GA4 event names (a letter, then letters, digits or underscores,"
                ~ " at most 40 characters); got '" ~ event[:60] ~ "'. Example: --vars '{conversion_events: [purchase, generate_lead]}'"
            ) }}
        {%- endif -%}
        {%- if event not in events -%}
            {%- do events.append(event) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if events | length == 0 -%}
        {{ exceptions.raise_compiler_error("var conversion_events must name at least one event.") }}
    {%- endif -%}
    {{ return(events) }}
{% endmacro %}

{# The conversion events as a SQL list literal for an `in (...)` filter. #}
{% macro conversion_events_sql(events) -%}
    {%- for event in events -%}'{{ event }}'{{ ', ' if not loop.last }}{%- endfor -%}
{%- endmacro %}

{# Run-start check of the vars, so a bad value fails before any model is built. #}
{% macro validate_attribution_vars() %}
    {%- do attribution_conversion_events() -%}
    {%- do attribution_late_event_window_hours() -%}
    {{ return('select 1') }}
{% endmacro %}

{#
    A BIGINT with bit (d - first_day) set for every day d of the lookback range
    [min_lookback_days, max_lookback_days] that lies within [first_day, last_day] (at most 63 days):
    OR-ed over ranges it tells which days they cover together (assert_credit_ranges_partition_lookbacks).
#}
{% macro lookback_days_mask(min_lookback_days, max_lookback_days, first_day, last_day) -%}
    {%- set low = 'greatest(' ~ min_lookback_days ~ ', ' ~ first_day ~ ')' -%}
    {%- set high = 'least(' ~ max_lookback_days ~ ', ' ~ last_day ~ ')' -%}
    case
        when {{ high }} >= {{ low }}
            then ((cast(1 as {{ dbt.type_bigint() }}) << ({{ high }} - {{ low }} + 1)) - 1) << ({{ low }} - {{ first_day }})
        else 0
    end
{%- endmacro %}
