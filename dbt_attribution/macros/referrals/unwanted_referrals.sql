{#
    Unwanted referrals, as GA4's "List unwanted referrals" and its self-referral detection
    (docs/assumptions.md, "Unwanted referrals"). A session skips an event whose medium is
    referral (no gclid, no dclid) when its ignore_referrer param is 'true', or when its source's
    normalised host is the property's own registrable domain (detection on) or matches the
    analyst's list. Every regex here is written without backslashes, so one literal serves
    DuckDB and BigQuery (both RE2).
#}

{# The match types of GA4's list, as stored and passed in var unwanted_referrals. #}
{% macro unwanted_referral_match_types() -%}
    {{ return(['exact', 'contains', 'begins_with', 'ends_with', 'regex']) }}
{%- endmacro %}

{# A host as GA4 compares referrers: trimmed, lowercase, without a port, a trailing dot and a leading www. #}
{% macro normalized_host(host) -%}
    regexp_replace(regexp_replace(regexp_replace(lower(trim({{ host }})), ':[0-9]*$', ''), '[.]$', ''), '^www[.]', '')
{%- endmacro %}

{# The normalised host of a URL (page_location): scheme, user info, path, query and fragment removed. #}
{% macro url_host(url) -%}
    {{ normalized_host(
        "regexp_replace(regexp_replace(regexp_replace(" ~ url ~ ", '^[a-zA-Z][a-zA-Z0-9+.-]*://', ''), '[/?#].*$', ''), '^.*@', '')"
    ) }}
{%- endmacro %}

{# A text as a SQL string literal of the target's dialect. #}
{% macro sql_string_literal(text) %}
    {{ return(adapter.dispatch('sql_string_literal', 'dbt_attribution')(text)) }}
{% endmacro %}

{% macro default__sql_string_literal(text) -%}
    '{{ text | string | replace("'", "''") }}'
{%- endmacro %}

{% macro bigquery__sql_string_literal(text) -%}
    '{{ text | string | replace("\\", "\\\\") | replace("'", "\\'") | replace("\n", "\\n") }}'
{%- endmacro %}

{# True when the regex in the SQL expression `pattern` (not a literal) matches anywhere in `text`. #}
{% macro regex_matches_expression(text, pattern) %}
    {{ return(adapter.dispatch('regex_matches_expression', 'dbt_attribution')(text, pattern)) }}
{% endmacro %}

{% macro default__regex_matches_expression(text, pattern) -%}
    regexp_matches({{ text }}, {{ pattern }})
{%- endmacro %}

{% macro bigquery__regex_matches_expression(text, pattern) -%}
    regexp_contains({{ text }}, {{ pattern }})
{%- endmacro %}

{#
    The analyst's list as rows (match_type, pattern): the var unwanted_referrals when given (a
    one-off run), else the warehouse's table ga4.unwanted_referrals (DuckDB; BigQuery has only the var).
#}
{% macro unwanted_referral_list_sql() %}
    {%- set override = var('unwanted_referrals', none) -%}
    {%- set text = dbt.type_string() -%}
    {%- if override is none and target.type != 'bigquery' -%}
        select match_type, pattern from {{ source('ga4', 'unwanted_referrals') }}
    {%- else -%}
        {%- set rules = [] if override is none else override -%}
        {%- if rules is string or rules is mapping or rules is not iterable -%}
            {{ exceptions.raise_compiler_error("var unwanted_referrals must be a list of {match_type, pattern}, got '" ~ rules ~ "'.") }}
        {%- endif -%}
        {%- for rule in rules -%}
            {%- if rule is not mapping or rule.get('match_type') not in unwanted_referral_match_types()
                or rule.get('pattern') is not string or (rule.get('pattern') | trim) == '' -%}
                {{ exceptions.raise_compiler_error(
                    "each unwanted referral needs match_type (" ~ unwanted_referral_match_types() | join(', ')
                    ~ ") and a pattern, got '" ~ rule ~ "'. Example: --vars '{unwanted_referrals: [{match_type: ends_with, pattern: paypal.com}]}'"
                ) }}
            {%- endif %}
        select cast({{ sql_string_literal(rule['match_type']) }} as {{ text }}) as match_type, cast({{ sql_string_literal(rule['pattern']) }} as {{ text }}) as pattern
        {%- if not loop.last %} union all {% endif -%}
        {%- else -%}
        select cast(null as {{ text }}) as match_type, cast(null as {{ text }}) as pattern from (select 1 as one) as nothing where 1 = 0
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}

{# Whether self-referral detection is on, as a SQL boolean: the var detect_self_referrals, else the stored switch (default on). #}
{% macro detects_self_referrals_sql() %}
    {%- set override = var('detect_self_referrals', none) -%}
    {%- if override is not none -%}
        {%- if override is sameas true or (override | string | lower) == 'true' -%}
            true
        {%- elif override is sameas false or (override | string | lower) == 'false' -%}
            false
        {%- else -%}
            {{ exceptions.raise_compiler_error("var detect_self_referrals must be true or false, got '" ~ override ~ "'.") }}
        {%- endif -%}
    {%- elif target.type == 'bigquery' -%}
        true
    {%- else -%}
        coalesce((select bool_and(detects_self_referrals) from {{ source('ga4', 'referral_settings') }}), true)
    {%- endif -%}
{% endmacro %}

{# True when a normalised host matches one rule of the list (case-insensitive). #}
{% macro unwanted_referral_rule_matches(host, match_type, pattern) -%}
    case {{ match_type }}
        when 'exact' then {{ host }} = lower(trim({{ pattern }}))
        when 'contains' then strpos({{ host }}, lower(trim({{ pattern }}))) > 0
        when 'begins_with' then starts_with({{ host }}, lower(trim({{ pattern }})))
        when 'ends_with' then ends_with({{ host }}, lower(trim({{ pattern }})))
        when 'regex' then {{ regex_matches_expression(host, "concat('(?i)', " ~ pattern ~ ")") }}
        else false
    end
{%- endmacro %}

{#
    Rows (host, registrable_domain) for the distinct non-empty hosts of `hosts` (a relation or CTE
    with a normalised `host`): the registrable domain is the longest public suffix (seed
    public_suffixes, else the last label) plus one label; NULL for a host that is itself a public
    suffix or an IP address.
#}
{% macro registrable_domains(hosts) -%}
    select
        host,
        case
            when length(host) > suffix_length and not {{ regex_matches('host', '^[0-9.]+$') }}
                then concat(
                    regexp_extract(left(host, length(host) - suffix_length - 1), '[^.]+$'),
                    '.',
                    right(host, suffix_length)
                )
        end as registrable_domain
    from (
        select host, max(length(public_suffix)) as suffix_length
        from (
            select
                labelled.host,
                case
                    when rules.is_wildcard
                        then concat(
                            regexp_extract(left(labelled.host, length(labelled.host) - length(rules.public_suffix) - 1), '[^.]+$'),
                            '.',
                            rules.public_suffix
                        )
                    else rules.public_suffix
                end as public_suffix
            from (
                select distinct host, regexp_extract(host, '[^.]+$') as top_level_domain
                from {{ hosts }}
                where host is not null and host <> ''
            ) as labelled
            inner join {{ ref('public_suffixes') }} as rules
                on rules.top_level_domain = labelled.top_level_domain
                and (
                    ends_with(labelled.host, concat('.', rules.public_suffix))
                    or (labelled.host = rules.public_suffix and not rules.is_wildcard)
                )
            union all
            -- The list's default rule: the last label is a public suffix.
            select distinct host, regexp_extract(host, '[^.]+$') as public_suffix
            from {{ hosts }}
            where host is not null and host <> ''
        ) as matching_suffixes
        group by host
    ) as longest_suffixes
{%- endmacro %}

{#
    A query: for each distinct non-NULL `source` of `sources` (a relation or CTE of referral
    sources), its normalised host and registrable domain; is_property_domain (the domain is a
    domain of the property's page hosts, int_property_hosts); is_listed (the host matches the
    analyst's list); is_unwanted (listed, or the property's own with self-referral detection on).
#}
{% macro unwanted_referral_sources(sources) -%}
    with

    source_hosts as (
        select distinct source, {{ normalized_host('source') }} as host
        from {{ sources }}
        where source is not null
    ),

    distinct_source_hosts as (
        select distinct host from source_hosts
    ),

    property_hosts as (
        select host from {{ ref('int_property_hosts') }}
    ),

    property_domains as (
        select distinct coalesce(registrable_domain, host) as domain
        from ({{ registrable_domains('property_hosts') }}) as property_host_domains
    ),

    source_domains as (
        {{ registrable_domains('distinct_source_hosts') }}
    ),

    listed_hosts as (
        select distinct hosts.host
        from distinct_source_hosts as hosts
        cross join ({{ unwanted_referral_list_sql() }}) as rules
        where {{ unwanted_referral_rule_matches('hosts.host', 'rules.match_type', 'rules.pattern') }}
    ),

    flagged as (
        select
            source_hosts.source,
            source_hosts.host,
            source_domains.registrable_domain,
            coalesce(
                coalesce(source_domains.registrable_domain, source_hosts.host) in (select domain from property_domains),
                false
            ) as is_property_domain,
            listed_hosts.host is not null as is_listed
        from source_hosts
        left join source_domains
            on source_hosts.host = source_domains.host
        left join listed_hosts
            on source_hosts.host = listed_hosts.host
    )

    select
        source,
        host,
        registrable_domain,
        is_property_domain,
        is_listed,
        ({{ detects_self_referrals_sql() }} and is_property_domain) or is_listed as is_unwanted
    from flagged
{%- endmacro %}

{#
    Which raw rows an incremental run of int_property_hosts reads (see staging_load_plan): on DuckDB
    those stored after its own loaded_through_seq; on BigQuery the shards of the last
    late_event_window_hours before now.
#}
{% macro property_hosts_load_plan() %}
    {%- if not (execute and is_incremental()) -%}
        {{ return({'after_load_seq': none, 'since_micros': none}) }}
    {%- endif -%}
    {{ return(adapter.dispatch('property_hosts_load_plan', 'dbt_attribution')()) }}
{% endmacro %}

{% macro default__property_hosts_load_plan() %}
    {{ return(default__staging_load_plan()) }}
{% endmacro %}

{% macro bigquery__property_hosts_load_plan() %}
    {%- set now_micros = (run_started_at.timestamp() * 1000000) | int -%}
    {{ return({'after_load_seq': none, 'since_micros': now_micros - attribution_late_event_window_hours() * 3600 * 1000000}) }}
{% endmacro %}
