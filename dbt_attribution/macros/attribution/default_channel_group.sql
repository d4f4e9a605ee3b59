{#
    GA4's default channel group for manual traffic, rule by rule in Google's order
    ("[GA4] Default channel group"); the first rule that matches wins. Matching is
    case-insensitive as in GA4. source_category is the session source's category from the
    source_categories seed (SOURCE_CATEGORY_SEARCH / SHOPPING / SOCIAL / VIDEO) or NULL.
    gclid marks a Google Ads auto-tagged click; the export lacks the ad network type GA4 uses
    for those, so they count as Paid Search, Google Ads' default network. dclid marks a Campaign
    Manager 360 / Display & Video 360 click: Display.
#}
{% macro default_channel_group(source, medium, campaign, source_category, gclid=none, dclid=none) %}
    {{ return(adapter.dispatch('default_channel_group', 'dbt_attribution')(source, medium, campaign, source_category, gclid, dclid)) }}
{% endmacro %}

{% macro default__default_channel_group(source, medium, campaign, source_category, gclid, dclid=none) -%}
    {%- set s = 'lower(' ~ source ~ ')' -%}
    {%- set m = 'lower(' ~ medium ~ ')' -%}
    {%- set c = 'lower(' ~ campaign ~ ')' -%}
    {%- set paid_medium = regex_matches(m, '^(.*cp.*|ppc|retargeting|paid.*)$') -%}
    {%- set shop_campaign = regex_matches(c, '^(.*(([^a-df-z]|^)shop|shopping).*)$') -%}
    case
        -- Direct: source is exactly "(direct)" and medium is "(not set)" or "(none)".
        when {{ s }} = '(direct)' and {{ m }} in ('(not set)', '(none)') then 'Direct'
        -- Cross-network: campaign name contains "cross-network" (Performance Max, Demand Gen, Smart Shopping).
        when {{ c }} like '%cross-network%' then 'Cross-network'
        -- Paid Shopping: (shopping site or shopping campaign name) and a paid medium.
        when ({{ source_category }} = 'SOURCE_CATEGORY_SHOPPING' or {{ shop_campaign }}) and {{ paid_medium }} then 'Paid Shopping'
        -- Paid Search: search site and a paid medium, or a Google Ads click (gclid).
        when ({{ source_category }} = 'SOURCE_CATEGORY_SEARCH' and {{ paid_medium }}){% if gclid is not none %} or {{ gclid }} is not null{% endif %} then 'Paid Search'
        -- Paid Social: social site and a paid medium.
        when {{ source_category }} = 'SOURCE_CATEGORY_SOCIAL' and {{ paid_medium }} then 'Paid Social'
        -- Paid Video: video site and a paid medium.
        when {{ source_category }} = 'SOURCE_CATEGORY_VIDEO' and {{ paid_medium }} then 'Paid Video'
        -- Display: medium is display, banner, expandable, interstitial or cpm, or a display click (dclid).
        when {{ m }} in ('display', 'banner', 'expandable', 'interstitial', 'cpm'){% if dclid is not none %} or {{ dclid }} is not null{% endif %} then 'Display'
        -- Paid Other: any other paid medium.
        when {{ paid_medium }} then 'Paid Other'
        -- Organic Shopping: shopping site or shopping campaign name.
        when {{ source_category }} = 'SOURCE_CATEGORY_SHOPPING' or {{ shop_campaign }} then 'Organic Shopping'
        -- Organic Social: social site or a social medium.
        when {{ source_category }} = 'SOURCE_CATEGORY_SOCIAL'
            or {{ m }} in ('social', 'social-network', 'social-media', 'sm', 'social network', 'social media') then 'Organic Social'
        -- Organic Video: video site or medium containing "video".
        when {{ source_category }} = 'SOURCE_CATEGORY_VIDEO' or {{ regex_matches(m, '^(.*video.*)$') }} then 'Organic Video'
        -- Organic Search: search site or medium exactly "organic".
        when {{ source_category }} = 'SOURCE_CATEGORY_SEARCH' or {{ m }} = 'organic' then 'Organic Search'
        -- Referral: medium is referral, app or link.
        when {{ m }} in ('referral', 'app', 'link') then 'Referral'
        -- Email: source or medium is email, e-mail, e_mail or "e mail".
        when {{ s }} in ('email', 'e-mail', 'e_mail', 'e mail') or {{ m }} in ('email', 'e-mail', 'e_mail', 'e mail') then 'Email'
        -- Affiliates: medium is exactly "affiliate".
        when {{ m }} = 'affiliate' then 'Affiliates'
        -- Audio: medium is exactly "audio".
        when {{ m }} = 'audio' then 'Audio'
        -- SMS: source or medium is exactly "sms".
        when {{ s }} = 'sms' or {{ m }} = 'sms' then 'SMS'
        -- Mobile Push Notifications: medium ends with "push" or contains "mobile" or "notification", or source is "firebase".
        when {{ m }} like '%push' or {{ m }} like '%mobile%' or {{ m }} like '%notification%' or {{ s }} = 'firebase' then 'Mobile Push Notifications'
        -- Unassigned: no rule matched.
        else 'Unassigned'
    end
{%- endmacro %}
