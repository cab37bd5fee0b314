{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='month'
    )
}}

-- The status narrative (DESIGN §5c): per project and month, and for the portfolio (project_id null), a few plain
-- sentences composed only from the marts' facts - what changed since last month and why, what is next, and the
-- decision needed. Every phrase comes from the formatting helpers below, so the same facts give the same words.
-- The PM's status_comment is never read here: the pack shows it beside these sentences, never merged into them.
-- Like fct_project_change_month, an incremental run also rebuilds the month after the window when the marts hold
-- it: its "since last month" compares with the window's last month (audit N15).
{% set last_month = next_month(window_end()) if is_incremental() else window_end() %}

{#- the wording of every fact: macros/narrative.sql -#}

with project_months as (
    select
        project_id,
        month,
        as_of,
        project_name,
        tier,
        rag_schedule,
        rag_cost,
        rag_benefits,
        rag_incidents,
        rag_overall,
        watermelon,
        reported_status,
        cpi,
        cost_overrun_pct,
        slip_days,
        forecast_finish,
        milestones_due,
        milestones_on_time,
        go_live_date,
        days_to_go_live,
        benefits_ready,
        post_golive_p1_count,
        post_golive_p2_count,
        data_gaps,
        not_graded_reason
    from {{ ref('fct_project_month') }}
    where month between {{ previous_month(window_start()) }} and {{ last_month }}
),

project_changes as (
    select project_id, month, is_new_red
    from {{ ref('fct_project_change_month') }}
    where month between {{ window_start() }} and {{ last_month }}
),

milestone_months as (
    select
        project_id,
        month,
        as_of,
        milestone_source,
        milestone_key,
        milestone_name,
        baseline_date,
        forecast_date,
        actual_date,
        is_complete,
        slip_days
    from {{ ref('fct_milestone_month') }}
    where month between {{ previous_month(window_start()) }} and {{ last_month }}
),

forecasts as (
    select
        project_id,
        month,
        p85_finish,
        prob_by_baseline_finish,
        prob_by_go_live,
        baseline_finish,
        go_live_date,
        forecast_status,
        status_reason
    from {{ ref('fct_forecast_month') }}
    where month between {{ window_start() }} and {{ last_month }}
),

overdue_decisions as (
    select project_id, month, decision_id, decision_title
    from {{ ref('fct_decision_month') }}
    where needs_decision and month between {{ window_start() }} and {{ last_month }}
),

overdue_raid_items as (
    select project_id, month, raid_id, raid_type, raid_title
    from {{ ref('fct_raid_month') }}
    where needs_decision and month between {{ window_start() }} and {{ last_month }}
),

pending_changes as (
    select project_id, month, cr_id, cr_title
    from {{ ref('fct_change_month') }}
    where needs_decision and month between {{ window_start() }} and {{ last_month }}
),

portfolio_months as (
    select month, portfolio_cpi, portfolio_spi
    from {{ ref('fct_portfolio_month') }}
    where month between {{ window_start() }} and {{ last_month }}
),

-- each project's month beside the month just before it (none after a gap or in its first month)
compared as (
    select
        current_month.*,
        prior_month.project_id is not null as has_previous_month,
        {{ narrative_month_name(previous_month('current_month.month')) }} as previous_month_name,
        prior_month.rag_schedule as previous_rag_schedule,
        prior_month.rag_cost as previous_rag_cost,
        prior_month.rag_benefits as previous_rag_benefits,
        prior_month.rag_incidents as previous_rag_incidents,
        prior_month.rag_overall as previous_rag_overall,
        prior_month.watermelon as previous_watermelon,
        prior_month.cpi as previous_cpi,
        prior_month.cost_overrun_pct as previous_cost_overrun_pct,
        prior_month.slip_days as previous_slip_days,
        prior_month.post_golive_p1_count as previous_p1_count,
        coalesce(project_changes.is_new_red, false) as is_new_red
    from project_months as current_month
    left join project_months as prior_month
        on prior_month.project_id = current_month.project_id
        and prior_month.month = {{ previous_month('current_month.month') }}
    left join project_changes
        on project_changes.project_id = current_month.project_id
        and project_changes.month = current_month.month
    where current_month.month between {{ window_start() }} and {{ last_month }}
),

-- the milestone that slipped most since the previous month, ties broken by the milestone's source and key
milestone_slips as (
    select
        current_milestone.project_id,
        current_milestone.month,
        current_milestone.milestone_name,
        coalesce(current_milestone.actual_date, current_milestone.forecast_date) as moved_to_date,
        current_milestone.slip_days - previous_milestone.slip_days as slip_growth_days,
        row_number() over (
            partition by current_milestone.project_id, current_milestone.month
            order by
                current_milestone.slip_days - previous_milestone.slip_days desc,
                current_milestone.milestone_source,
                current_milestone.milestone_key asc
        ) as slip_rank
    from milestone_months as current_milestone
    inner join milestone_months as previous_milestone
        on previous_milestone.project_id = current_milestone.project_id
        and previous_milestone.milestone_source = current_milestone.milestone_source
        and previous_milestone.milestone_key = current_milestone.milestone_key
        and previous_milestone.month = {{ previous_month('current_milestone.month') }}
    where current_milestone.month between {{ window_start() }} and {{ last_month }}
        and current_milestone.slip_days > previous_milestone.slip_days
        -- a milestone achieved before the month is not slipping (its slip is history)
        and previous_milestone.actual_date is null
),

worst_milestone_slips as (
    select project_id, month, milestone_name, moved_to_date, slip_growth_days
    from milestone_slips
    where slip_rank = 1
),

-- the next open milestone due after as_of (its forecast, else its baseline), ties broken by source and key
upcoming_milestones as (
    select
        project_id,
        month,
        milestone_name,
        baseline_date,
        coalesce(forecast_date, baseline_date) as due_date,
        row_number() over (
            partition by project_id, month
            order by coalesce(forecast_date, baseline_date), milestone_source, milestone_key
        ) as due_rank
    from milestone_months
    where month between {{ window_start() }} and {{ last_month }}
        and not coalesce(is_complete, false)
        and coalesce(forecast_date, baseline_date) > as_of
),

next_milestones as (
    select project_id, month, milestone_name, baseline_date, due_date
    from upcoming_milestones
    where due_rank = 1
),

-- the drivers of each dimension, as phrases the sentences below share
project_facts as (
    select
        compared.*,
        (
            'finish ' || coalesce({{ narrative_slip_words('compared.slip_days') }}, 'not measured')
            || coalesce(
                ' (' || {{ narrative_slip_words('compared.previous_slip_days') }} || ' in '
                || compared.previous_month_name || ')', ''
            )
            || coalesce(', forecast finish ' || {{ narrative_iso_date('compared.forecast_finish') }}, '')
            || coalesce(
                '; milestone ' || worst_milestone_slips.milestone_name || ' slipped '
                || {{ narrative_counted('worst_milestone_slips.slip_growth_days', 'more day', 'more days') }}
                || coalesce(', to ' || {{ narrative_iso_date('worst_milestone_slips.moved_to_date') }}, ''), ''
            )
            || case when compared.milestones_due >= 2
                    then '; ' || cast(compared.milestones_on_time as varchar) || ' of '
                        || cast(compared.milestones_due as varchar) || ' due milestones on time'
                else ''
            end
        ) as schedule_driver,
        ('forecast overrun ' || {{ narrative_signed_percent('compared.cost_overrun_pct') }} || ' of BAC'
        -- the line it crossed, as rounding to whole percent can hide it (+10 % is Red only above 10 %)
        || coalesce(
            ', above the ' || {{ narrative_cost_threshold('compared.tier', 'compared.rag_cost') }}
            || ' ' || compared.rag_cost || ' threshold', ''
        )
        || coalesce(
            ' (' || {{ narrative_signed_percent('compared.previous_cost_overrun_pct') }} || ' in '
            || compared.previous_month_name || ')', ''
        )
        || coalesce(
            ', CPI ' || {{ narrative_two_decimals('compared.cpi') }}
            || case
                when {{ round_to('compared.cpi', 2) }} < {{ round_to('compared.previous_cpi', 2) }}
                    then ', down from ' || {{ narrative_two_decimals('compared.previous_cpi') }}
                when {{ round_to('compared.cpi', 2) }} > {{ round_to('compared.previous_cpi', 2) }}
                    then ', up from ' || {{ narrative_two_decimals('compared.previous_cpi') }}
                when compared.previous_cpi is not null then ', unchanged'
                else ''
            end, ''
        )) as cost_driver,
        (
            case when coalesce(compared.benefits_ready, false) then 'benefits-ready' else 'not benefits-ready' end
            || coalesce(
                ', go-live ' || {{ narrative_iso_date('compared.go_live_date') }}
                || case
                    when compared.days_to_go_live > 0
                        then ' in ' || {{ narrative_counted('compared.days_to_go_live', 'day', 'days') }}
                    when compared.days_to_go_live = 0 then ' today'
                    else ' (passed)'
                end, ''
            )
        ) as benefits_driver,
        (
            case when coalesce(compared.post_golive_p1_count, 0) + coalesce(compared.post_golive_p2_count, 0) = 0
                    then 'no P1 or P2'
                else {{ narrative_counted('coalesce(compared.post_golive_p1_count, 0)', 'P1', 'P1s') }} || ' and '
                    || {{ narrative_counted('coalesce(compared.post_golive_p2_count, 0)', 'P2', 'P2s') }}
            end
            || ' in the post-go-live window'
            || case when compared.post_golive_p1_count > coalesce(compared.previous_p1_count, 0)
                    then ' (' || {{ narrative_counted('compared.post_golive_p1_count - coalesce(compared.previous_p1_count, 0)', 'new P1', 'new P1s') }} || ' since ' || compared.previous_month_name || ')'
                else ''
            end
        ) as incidents_driver,
        'it cannot be measured' || coalesce(' (' || compared.data_gaps || ')', '') as unknown_driver,
        {{ narrative_grade_move('Schedule', 'compared.rag_schedule', 'compared.previous_rag_schedule', 'compared.previous_month_name') }} as schedule_move,
        {{ narrative_grade_move('Cost', 'compared.rag_cost', 'compared.previous_rag_cost', 'compared.previous_month_name') }} as cost_move,
        {{ narrative_grade_move('Benefits', 'compared.rag_benefits', 'compared.previous_rag_benefits', 'compared.previous_month_name') }} as benefits_move,
        {{ narrative_grade_move('Incidents', 'compared.rag_incidents', 'compared.previous_rag_incidents', 'compared.previous_month_name') }} as incidents_move,
        {{ narrative_grade_move('Overall', 'compared.rag_overall', 'compared.previous_rag_overall', 'compared.previous_month_name') }} as overall_move
    from compared
    left join worst_milestone_slips
        on worst_milestone_slips.project_id = compared.project_id
        and worst_milestone_slips.month = compared.month
),

-- what made a project Red this month, for the portfolio headline: the dimensions that turned Red (all its Red
-- dimensions in its first month), each in a few words
turned_red_projects as (
    select
        month,
        project_id,
        coalesce(project_name, project_id) as project_name,
        substr(
            case when rag_cost = 'Red' and (previous_rag_cost is distinct from 'Red' or not has_previous_month)
                    then ', cost ' || {{ narrative_signed_percent('cost_overrun_pct') }}
                else ''
            end
            || case when rag_schedule = 'Red' and (previous_rag_schedule is distinct from 'Red' or not has_previous_month)
                    -- the slip when late, and the milestones when some due ones are late (the milestone grade)
                    then coalesce(', finish ' || case when slip_days > 0 then {{ narrative_slip_words('slip_days') }} end, '')
                        || case when milestones_due >= 2 and milestones_on_time < milestones_due
                                then ', ' || cast(milestones_on_time as varchar) || ' of '
                                    || cast(milestones_due as varchar) || ' milestones on time'
                            else ''
                        end
                else ''
            end
            || case when rag_benefits = 'Red' and (previous_rag_benefits is distinct from 'Red' or not has_previous_month)
                    then ', not benefits-ready' || coalesce(' for the go-live ' || {{ narrative_iso_date('go_live_date') }}, '')
                else ''
            end
            || case when rag_incidents = 'Red' and (previous_rag_incidents is distinct from 'Red' or not has_previous_month)
                    then ', ' || {{ narrative_counted('coalesce(post_golive_p1_count, 0)', 'P1 incident', 'P1 incidents') }}
                else ''
            end,
            3
        ) as red_drivers
    from project_facts
    where is_new_red
),

-- the 'changed' sentences of each project, in a fixed order (sort_key)
project_changed as (
    select
        month,
        project_id,
        10 as sort_key,
        case
            when not_graded_reason is not null
                then 'Not graded this month: ' || rtrim(not_graded_reason, '.') || '.'
            -- its first month, or back after a gap: nothing to compare with
            when not has_previous_month
                then 'Not reported in ' || previous_month_name || ': Overall ' || coalesce(rag_overall, 'not graded') || '.'
            when overall_move is not null
                then overall_move || ' since ' || previous_month_name || '.'
            when coalesce(schedule_move, cost_move, benefits_move, incidents_move) is not null
                then 'Overall unchanged since ' || previous_month_name || ': ' || rag_overall || '.'
            else 'No grade changed since ' || previous_month_name || ': Overall ' || coalesce(rag_overall, 'not graded') || '.'
        end as sentence
    from project_facts

    {% for dimension, sort_key in [('schedule', 20), ('cost', 30), ('benefits', 40), ('incidents', 50)] %}
        union all
        select
            month,
            project_id,
            {{ sort_key }} as sort_key,
            {{ dimension }}_move || ': ' || case
                when rag_{{ dimension }} = 'Unknown' then unknown_driver
                {% if dimension == 'incidents' %}
                    when rag_incidents is null then 'the post-go-live window has closed'
                {% endif %}
                else {{ dimension }}_driver
            end || '.' as sentence
        from project_facts
        where has_previous_month and not_graded_reason is null and {{ dimension }}_move is not null
    {% endfor %}

    union all
    -- the watermelon (reported Green, measured Red): new, continuing, or gone
    select
        month,
        project_id,
        60 as sort_key,
        case
            when watermelon and has_previous_month and previous_watermelon
                then 'Still a watermelon: reported Green, measured Red.'
            when watermelon then 'Now a watermelon: reported Green, measured Red.'
            else 'No longer a watermelon: reported ' || coalesce(reported_status, 'nothing')
                || ', measured ' || coalesce(rag_overall, 'not graded') || '.'
        end as sentence
    from project_facts
    where coalesce(watermelon, false) or (has_previous_month and coalesce(previous_watermelon, false))

    union all
    -- a slip that grew without moving the schedule grade (fct_project_change_month counts it as a change)
    select
        month,
        project_id,
        70 as sort_key,
        'Schedule still ' || rag_schedule || ': ' || schedule_driver || '.' as sentence
    from project_facts
    where has_previous_month and schedule_move is null and rag_schedule is not null
        and slip_days > previous_slip_days

    union all
    -- new P1s without a move of the incidents grade (it was Red already)
    select
        month,
        project_id,
        80 as sort_key,
        {{ narrative_counted('post_golive_p1_count - coalesce(previous_p1_count, 0)', 'new P1 incident', 'new P1 incidents') }}
        || ' since ' || previous_month_name || ' ('
        || {{ narrative_counted('post_golive_p1_count', 'P1', 'P1s') }} || ' in the post-go-live window).' as sentence
    from project_facts
    where has_previous_month and incidents_move is null
        and post_golive_p1_count > coalesce(previous_p1_count, 0)
),

-- the 'next' sentences: the next milestone, the go-live ahead, the P85 finish and its chance
project_next as (
    select
        month,
        project_id,
        10 as sort_key,
        'Next milestone: ' || milestone_name || ' on ' || {{ narrative_iso_date('due_date') }}
        || case when due_date > baseline_date then ' (baseline ' || {{ narrative_iso_date('baseline_date') }} || ')' else '' end
        || '.' as sentence
    from next_milestones

    union all
    select
        month,
        project_id,
        20 as sort_key,
        'Planned go-live ' || {{ narrative_iso_date('go_live_date') }} || ', in ' || {{ narrative_counted('days_to_go_live', 'day', 'days') }}
        || case when coalesce(benefits_ready, false) then '; benefits-ready.' else '; not benefits-ready.' end
            as sentence
    from project_facts
    where days_to_go_live > 0

    union all
    select
        month,
        project_id,
        30 as sort_key,
        case
            when forecast_status = 'ok' and p85_finish is not null
                then 'P85 finish ' || {{ narrative_iso_date('p85_finish') }} || coalesce(
                        '; ' || {{ narrative_chance_percent('prob_by_baseline_finish') }}
                        || ' chance of finishing by the baseline finish ' || {{ narrative_iso_date('baseline_finish') }},
                        '; ' || {{ narrative_chance_percent('prob_by_go_live') }}
                        || ' chance of finishing by the go-live ' || {{ narrative_iso_date('go_live_date') }},
                        ''
                    ) || '.'
            when forecast_status = 'ok'
                then 'No P85 finish: ' || coalesce(rtrim(status_reason, '.'), 'the forecast gave none') || '.'
            when forecast_status = 'complete'
                then 'Nothing left to forecast: ' || coalesce(rtrim(status_reason, '.'), 'the plan is complete') || '.'
            else 'No forecast: ' || coalesce(rtrim(status_reason, '.'), forecast_status) || '.'
        end as sentence
    from forecasts
),

-- what needs the steering committee's decision, per project and kind: overdue decisions, Critical or High RAID
-- items past due (one kind per RAID type), change requests pending too long; each kind with its noun and the items
decision_items as (
    select
        month,
        project_id,
        1 as kind_order,
        'overdue decision' as noun,
        'overdue decisions' as nouns,
        '' as qualifier,
        count(*) as items,
        {{ dbt.listagg('decision_title', "', '", 'order by decision_id') }} as titles
    from overdue_decisions
    group by month, project_id

    union all
    select
        month,
        project_id,
        case lower(raid_type) when 'risk' then 2 when 'issue' then 3 when 'dependency' then 4 else 5 end
            as kind_order,
        'high ' || lower(raid_type) as noun,
        'high ' || case when lower(raid_type) like '%y'
                then substr(lower(raid_type), 1, length(raid_type) - 1) || 'ies'
            else lower(raid_type) || 's'
        end as nouns,
        ' past due' as qualifier,
        count(*) as items,
        {{ dbt.listagg('raid_title', "', '", 'order by raid_id') }} as titles
    from overdue_raid_items
    group by month, project_id, raid_type

    union all
    select
        month,
        project_id,
        6 as kind_order,
        'change request' as noun,
        'change requests' as nouns,
        ' pending over {{ var("change_pending_days") }} days' as qualifier,
        count(*) as items,
        {{ dbt.listagg('cr_title', "', '", 'order by cr_id') }} as titles
    from pending_changes
    group by month, project_id
),

project_decision as (
    select
        month,
        project_id,
        10 as sort_key,
        'Decision needed: ' || {{ dbt.listagg(
            "cast(items as varchar) || ' ' || case when items = 1 then noun else nouns end || qualifier"
            ~ " || ' (' || titles || ')'",
            "'; '",
            'order by kind_order, noun'
        ) }} || '.' as sentence
    from decision_items
    group by month, project_id
),

-- the portfolio's headline, from the same per-project facts
portfolio_facts as (
    select
        project_facts.month,
        max(project_facts.previous_month_name) as previous_month_name,
        count(*) filter (where project_facts.is_new_red) as new_reds,
        count(*) filter (where project_facts.watermelon) as watermelons,
        count(*) filter (
            where date_trunc('month', project_facts.go_live_date) = {{ next_month('project_facts.month') }}
        ) as go_lives_next_month,
        count(*) filter (
            where date_trunc('month', project_facts.go_live_date) = {{ next_month('project_facts.month') }}
            and not coalesce(project_facts.benefits_ready, false)
        ) as go_lives_not_ready
    from project_facts
    group by project_facts.month
),

turned_red_lists as (
    select
        month,
        {{ dbt.listagg("project_name || coalesce(': ' || nullif(red_drivers, ''), '')", "'; '", 'order by project_id') }}
            as turned_red_list
    from turned_red_projects
    group by month
),

watermelon_lists as (
    select
        month,
        {{ dbt.listagg('coalesce(project_name, project_id)', "', '", 'order by project_id') }} as watermelon_list
    from project_facts
    where watermelon
    group by month
),

go_live_lists as (
    select
        month,
        {{ dbt.listagg('coalesce(project_name, project_id)', "', '", 'order by go_live_date, project_id') }}
            as go_live_list
    from project_facts
    where date_trunc('month', go_live_date) = {{ next_month('month') }}
    group by month
),

portfolio_decision_kinds as (
    select
        month,
        kind_order,
        noun,
        nouns,
        qualifier,
        sum(items) as items
    from decision_items
    group by month, kind_order, noun, nouns, qualifier
),

portfolio_sentences as (
    select
        portfolio_facts.month,
        'changed' as section,
        10 as sort_key,
        case when portfolio_facts.new_reds = 0
                then 'No project turned Red since ' || portfolio_facts.previous_month_name || '.'
            else {{ narrative_counted('portfolio_facts.new_reds', 'project', 'projects') }} || ' turned Red ('
                || turned_red_lists.turned_red_list || ').'
        end as sentence
    from portfolio_facts
    left join turned_red_lists
        on turned_red_lists.month = portfolio_facts.month

    union all
    select
        portfolio_facts.month,
        'changed' as section,
        20 as sort_key,
        {{ narrative_counted('portfolio_facts.watermelons', 'watermelon', 'watermelons') }}
        || ': reported Green, measured Red (' || watermelon_lists.watermelon_list || ').' as sentence
    from portfolio_facts
    inner join watermelon_lists
        on watermelon_lists.month = portfolio_facts.month

    union all
    select
        portfolio_facts.month,
        'changed' as section,
        30 as sort_key,
        'Portfolio CPI ' || coalesce({{ narrative_two_decimals('portfolio_months.portfolio_cpi') }}, 'not measured')
        || ', SPI ' || coalesce({{ narrative_two_decimals('portfolio_months.portfolio_spi') }}, 'not measured') || '.'
            as sentence
    from portfolio_facts
    left join portfolio_months
        on portfolio_months.month = portfolio_facts.month

    union all
    select
        portfolio_facts.month,
        'next' as section,
        10 as sort_key,
        case when portfolio_facts.go_lives_next_month = 0 then 'No go-live next month.'
            else {{ narrative_counted('portfolio_facts.go_lives_next_month', 'go-live', 'go-lives') }} || ' next month ('
                || go_live_lists.go_live_list || '); '
                || case when portfolio_facts.go_lives_not_ready = 0 then 'all benefits-ready.'
                    else cast(portfolio_facts.go_lives_not_ready as varchar) || ' not benefits-ready.'
                end
        end as sentence
    from portfolio_facts
    left join go_live_lists
        on go_live_lists.month = portfolio_facts.month

    union all
    select
        month,
        'decision' as section,
        10 as sort_key,
        'Decisions needed across the portfolio: ' || {{ dbt.listagg(
            "cast(items as varchar) || ' ' || case when items = 1 then noun else nouns end || qualifier",
            "'; '",
            'order by kind_order, noun'
        ) }} || '.' as sentence
    from portfolio_decision_kinds
    group by month
),

sentences as (
    select month, project_id, 'changed' as section, sort_key, sentence from project_changed
    union all
    select month, project_id, 'next' as section, sort_key, sentence from project_next
    union all
    select month, project_id, 'decision' as section, sort_key, sentence from project_decision
    union all
    select month, cast(null as varchar) as project_id, section, sort_key, sentence from portfolio_sentences
)

select
    month,
    project_id,
    section,
    -- numbered within month x project across the sections (changed, then next, then decision), so ordering by
    -- sentence_no alone reads the narrative in order
    cast(row_number() over (
        partition by month, project_id
        order by case section when 'changed' then 1 when 'next' then 2 else 3 end, sort_key, sentence
    ) as integer) as sentence_no,
    sentence
from sentences
where month between {{ window_start() }} and {{ last_month }}
