{#-
    Every distinct source of a referral event (medium referral, any case) with whether it is unwanted:
    the property's own registrable domain (self-referral detection) or on the analyst's list.
    int_sessions_classified skips the unwanted ones; int_users_changed compares this table, as the
    last build left it, with the flags of this run to re-model the users a changed list touches.
    Rebuilt every run: one scan of staging's two columns.
-#}
-- depends_on: {{ ref('int_users_changed') }}

with

referral_sources as (

    select distinct source
    from {{ ref('stg_ga4__events') }}
    where lower(medium) = 'referral'
        and source is not null

),

final as (

    {{ unwanted_referral_sources('referral_sources') }}

)

select * from final
