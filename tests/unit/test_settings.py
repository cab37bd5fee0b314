import datetime as dt
from pathlib import Path

import pytest
import yaml

from pipelines.config import ConfigError, load_settings, parse_settings
from tests.helpers import write_config


def test_defaults_match_design():
    settings = parse_settings({})
    assert settings.first_month == dt.date(2024, 1, 1)
    assert settings.base_currency == "USD"
    assert settings.post_golive_window_days == 30
    assert settings.milestone_tolerance_days == {1: 0, 2: 5, 3: 10}
    assert (settings.rag_thresholds[2].amber, settings.rag_thresholds[2].red) == (0.10, 0.20)
    assert settings.smtp is None


def test_relative_paths_resolve_against_the_config_folder(tmp_path, monkeypatch):
    config = write_config(tmp_path / "pmo")
    monkeypatch.chdir(tmp_path)  # somewhere else than the config's folder
    settings = load_settings(config)
    assert settings.inbox == (tmp_path / "pmo" / "inbox").resolve()
    assert settings.warehouse == (tmp_path / "pmo" / "warehouse" / "steerpack.duckdb").resolve()
    assert settings.config_file == config.resolve()


def test_unknown_key_names_the_file_and_the_key(tmp_path):
    config = write_config(tmp_path / "pmo", inbx="./typo")
    with pytest.raises(ConfigError) as error:
        load_settings(config)
    assert str(error.value) == f"{config.resolve()}: unknown key 'inbx'"


def test_unknown_nested_key_names_its_full_path(tmp_path):
    config = write_config(tmp_path, jira={"story_point_fields": ["Custom field (Story Points)"]})
    with pytest.raises(ConfigError, match=r"unknown key 'jira\.story_point_fields'"):
        load_settings(config)


@pytest.mark.parametrize(
    "key, value, fragment",
    [
        ("first_month", "2024-13", "bad value for 'first_month'"),
        ("base_currency", "usd", "bad value for 'base_currency'"),
        ("post_golive_window_days", 0, "bad value for 'post_golive_window_days'"),
        ("rag_thresholds", {1: {"amber": 0.2, "red": 0.1}}, "bad value for 'rag_thresholds.1'"),
        ("milestone_tolerance_days", {4: 3}, "bad value for 'milestone_tolerance_days'"),
        # Azure Boards' categories only: Done is Jira's word, not a state category
        ("azure_devops", {"state_categories": {"UAT": "Done"}}, "bad value for 'azure_devops.state_categories.UAT'"),
        (
            "azure_devops",
            {"resolved_counts_as_done": "sometimes"},
            "bad value for 'azure_devops.resolved_counts_as_done'",
        ),
    ],
)
def test_bad_value_names_the_key(tmp_path, key, value, fragment):
    config = write_config(tmp_path, **{key: value})
    with pytest.raises(ConfigError) as error:
        load_settings(config)
    assert str(config.resolve()) in str(error.value)
    assert fragment in str(error.value)


def test_partial_tier_settings_keep_the_other_tiers_defaults(tmp_path):
    settings = load_settings(write_config(tmp_path, rag_thresholds={1: {"amber": 0.02, "red": 0.04}}))
    assert settings.rag_thresholds[1].red == 0.04
    assert settings.rag_thresholds[3].red == 0.30


def test_azure_devops_custom_states_and_the_resolved_switch(tmp_path):
    defaults = parse_settings({}).azure_devops
    assert (defaults.state_categories, defaults.resolved_counts_as_done) == ({}, True)
    states = {"In Review": "In Progress", "UAT": "In Progress", "PIR": "Completed"}  # DESIGN §8
    config = write_config(tmp_path, azure_devops={"state_categories": states, "resolved_counts_as_done": False})
    settings = load_settings(config).azure_devops
    assert (settings.state_categories, settings.resolved_counts_as_done) == (states, False)


def test_a_named_config_file_must_exist(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.yaml")


def test_config_from_environment_variable(tmp_path, monkeypatch):
    config = write_config(tmp_path, base_currency="EUR")
    monkeypatch.setenv("STEERPACK_CONFIG", str(config))
    assert load_settings().base_currency == "EUR"


def test_smtp_password_comes_only_from_the_environment(tmp_path, monkeypatch):
    config = write_config(
        tmp_path, smtp={"host": "mail.example.com", "password_env": "PMO_SMTP_PW", "from": "PMO <pmo@example.com>"}
    )
    monkeypatch.setenv("PMO_SMTP_PW", "s3cret")
    smtp = load_settings(config).smtp
    assert (smtp.host, smtp.port, smtp.from_, smtp.password()) == (
        "mail.example.com",
        587,
        "PMO <pmo@example.com>",
        "s3cret",
    )


def test_dbt_vars_carry_thresholds_and_tolerances():
    dbt_vars = parse_settings({"post_golive_window_days": 45}).dbt_vars()
    assert dbt_vars["post_golive_window_days"] == 45
    assert dbt_vars["rag_thresholds"]["3"] == {"amber": 0.15, "red": 0.30}
    assert dbt_vars["milestone_tolerance_days"] == {"1": 0, "2": 5, "3": 10}
    assert dbt_vars["milestone_rate_thresholds"] == {t: {"amber": 0.90, "red": 0.80} for t in ("1", "2", "3")}
    assert dbt_vars["holidays"] == []
    assert (dbt_vars["benefits_red_days"], dbt_vars["raid_fresh_days"], dbt_vars["change_pending_days"]) == (30, 7, 10)
    assert parse_settings({"change_pending_days": 5}).dbt_vars()["change_pending_days"] == 5
    configured = parse_settings(
        {"milestone_rate_thresholds": {"amber": 0.95, "red": 0.85}, "holidays": ["2026-12-26", "2026-12-25"]}
    ).dbt_vars()
    assert configured["milestone_rate_thresholds"] == {t: {"amber": 0.95, "red": 0.85} for t in ("1", "2", "3")}
    assert configured["holidays"] == ["2026-12-25", "2026-12-26"]


def test_dbt_projects_own_defaults_are_the_settings_defaults():
    """dbt_project.yml's vars serve `dbt build` by hand; a run passes Settings().dbt_vars(). The two sets of
    defaults must be one, or a model built by hand grades with other thresholds than the pipeline's."""
    project = yaml.safe_load((Path(__file__).resolve().parents[2] / "dbt_project" / "dbt_project.yml").read_text())
    own_defaults = {
        name: value
        for name, value in project["vars"].items()
        if name not in {"month_start", "month_end", "kpi_catalog"}
    }
    assert own_defaults == parse_settings({}).dbt_vars()


def test_milestone_rate_thresholds_grade_downwards():
    with pytest.raises(ConfigError, match=r"milestone_rate_thresholds.*red \(0.95\) must not exceed amber \(0.9\)"):
        parse_settings({"milestone_rate_thresholds": {"amber": 0.90, "red": 0.95}})
    with pytest.raises(ConfigError, match=r"milestone_rate_thresholds\.2'.*red \(0.9\) must not exceed amber \(0.8\)"):
        parse_settings({"milestone_rate_thresholds": {2: {"amber": 0.80, "red": 0.90}}})


def test_milestone_rate_thresholds_per_tier_as_design_allows(tmp_path):
    """DESIGN §8: `{amber, red}` for every tier, or per tier like rag_thresholds; a tier left out keeps the
    defaults (Amber below 0.90, Red below 0.80), and dbt always receives one pair per tier."""
    settings = load_settings(
        write_config(tmp_path, milestone_rate_thresholds={1: {"amber": 0.95, "red": 0.90}, 3: {"amber": 0.80}})
    )
    assert settings.dbt_vars()["milestone_rate_thresholds"] == {
        "1": {"amber": 0.95, "red": 0.90},
        "2": {"amber": 0.90, "red": 0.80},
        "3": {"amber": 0.80, "red": 0.80},
    }
    with pytest.raises(ConfigError, match=r"'milestone_rate_thresholds'.*tiers are 1, 2 and 3; got \[4\]"):
        parse_settings({"milestone_rate_thresholds": {4: {"amber": 0.9, "red": 0.8}}})


def test_jira_out_of_scope_resolutions_reach_dbt(tmp_path):
    """DESIGN §8's default list (Declined and Obsolete among them) unless the config names its own; a blank name
    is refused."""
    assert parse_settings({}).dbt_vars()["jira_out_of_scope_resolutions"] == [
        "Won't Do",
        "Won't Fix",
        "Duplicate",
        "Cancelled",
        "Declined",
        "Removed",
        "Obsolete",
    ]
    settings = load_settings(
        write_config(tmp_path, jira={"out_of_scope_resolutions": [" Cannot Reproduce", "Incomplete"]})
    )
    assert settings.dbt_vars()["jira_out_of_scope_resolutions"] == ["Cannot Reproduce", "Incomplete"]
    with pytest.raises(ConfigError, match=r"bad value for 'jira\.out_of_scope_resolutions'"):
        parse_settings({"jira": {"out_of_scope_resolutions": ["Declined", " "]}})


def test_dbt_project_var_defaults_are_the_settings_defaults():
    """`dbt build` by hand (no --vars) grades as steerpack's defaults do."""
    project = yaml.safe_load((Path(__file__).parents[2] / "dbt_project" / "dbt_project.yml").read_text())
    defaults = parse_settings({}).dbt_vars()
    for name in (
        "milestone_rate_thresholds",
        "rag_thresholds",
        "jira_out_of_scope_resolutions",
        "jira_counted_issue_types",
        "azure_devops_counted_work_item_types",
    ):
        assert project["vars"][name] == defaults[name], name


@pytest.mark.parametrize(
    "overrides, keys",
    [
        ({"warehouse": "./output/warehouse/steerpack.duckdb"}, ("'warehouse'", "'output'")),
        ({"output": "./inbox"}, ("'output'", "'inbox'")),
        ({"output": "./inbox/output"}, ("'output'", "'inbox'")),
        ({"inbox": "./output/inbox"}, ("'inbox'", "'output'")),
    ],
)
def test_overlapping_paths_are_a_config_error_naming_both_keys(tmp_path, overrides, keys):
    config = write_config(tmp_path / "pmo", **overrides)
    with pytest.raises(ConfigError) as error:
        load_settings(config)
    message = str(error.value)
    assert message.startswith(f"{config.resolve()}: ")
    assert all(key in message for key in keys)


def test_overlapping_paths_are_found_through_a_symlink(tmp_path):
    (tmp_path / "pmo" / "output").mkdir(parents=True)
    (tmp_path / "pmo" / "in").symlink_to(tmp_path / "pmo" / "output", target_is_directory=True)
    # the absolute spelling is not resolved by `resolved()`: only the real-path comparison sees the overlap
    config = write_config(tmp_path / "pmo", inbox=str(tmp_path / "pmo" / "in" / "drops"))
    with pytest.raises(ConfigError, match=r"'inbox' .* must not lie inside 'output'"):
        load_settings(config)


def test_neighbouring_paths_with_a_common_prefix_are_apart(tmp_path):
    config = write_config(tmp_path / "pmo", inbox="./output-inbox", warehouse="./output-warehouse/w.duckdb")
    settings = load_settings(config)
    assert settings.inbox == (tmp_path / "pmo" / "output-inbox").resolve()


def test_fx_policy_is_current_or_budget_rate_and_reaches_dbt():
    assert parse_settings({}).dbt_vars()["fx_policy"] == "current"
    assert parse_settings({"fx_policy": "budget_rate"}).dbt_vars()["fx_policy"] == "budget_rate"
    with pytest.raises(ConfigError, match="fx_policy"):
        parse_settings({"fx_policy": "historical"})


def test_the_counted_work_item_types_reach_dbt():
    settings = parse_settings(
        {"jira": {"counted_issue_types": ["Story", "Bug"]}, "azure_devops": {"counted_work_item_types": ["Task"]}}
    )
    assert settings.dbt_vars()["jira_counted_issue_types"] == ["Story", "Bug"]
    assert settings.dbt_vars()["azure_devops_counted_work_item_types"] == ["Task"]
    assert parse_settings({}).dbt_vars()["jira_counted_issue_types"] is None  # every type but containers


def test_kpi_targets_are_held_per_tier_and_passed_to_dbt():
    """One {met, near} pair sets every tier and the portfolio row; a mapping by tier sets the tiers it names (the
    others keep the catalog's defaults, in dbt)."""
    settings = parse_settings(
        {"kpi_targets": {"scope_churn": {"met": 0.05, "near": 0.15}, "uat_completion": {1: {"met": 1.0, "near": 0.95}}}}
    )
    targets = settings.dbt_vars()["kpi_targets"]
    assert targets["scope_churn"] == {tier: {"met": 0.05, "near": 0.15} for tier in ("1", "2", "3", "portfolio")}
    assert targets["uat_completion"] == {"1": {"met": 1.0, "near": 0.95}}
    assert parse_settings({}).dbt_vars()["kpi_targets"] == {}


@pytest.mark.parametrize(
    ("kpi_targets", "message"),
    [
        (
            {"scope_chrun": {"met": 0.1, "near": 0.2}},
            r"kpi_targets\.scope_chrun: not a KPI; the KPIs are milestone_on_time_rate",
        ),
        (
            {"uat_completion": {"met": 0.9, "near": 0.95}},
            r"kpi_targets\.uat_completion: near \(0.95\) must not exceed met \(0.9\)",
        ),
        (
            {"scope_churn": {"met": 0.2, "near": 0.1}},
            r"kpi_targets\.scope_churn: near \(0.1\) must not be below met \(0.2\)",
        ),
        # looser than impossible: a share's near below 0 could never be missed
        (
            {"uat_completion": {"met": 0.9, "near": -0.1}},
            r"near \(-0.1\) is outside what uat_completion can take \(share, from 0.0 to 1.0\)",
        ),
        (
            {"stakeholder_csat": {"portfolio": {"met": 4.2, "near": 0.5}}},
            r"kpi_targets\.stakeholder_csat\.portfolio: near \(0.5\) is outside",
        ),
        (
            {"uat_completion": {4: {"met": 1.0, "near": 0.9}}},
            r"kpi_targets\.uat_completion\.4: tiers are 1, 2, 3 and portfolio",
        ),
        ({"cr_cycle_time": {"met": 5}}, r"kpi_targets.*near"),
    ],
)
def test_a_kpi_target_that_cannot_work_is_an_error_naming_the_key(kpi_targets, message):
    with pytest.raises(ConfigError, match=message):
        parse_settings({"kpi_targets": kpi_targets})


def test_issue_sla_days_fill_the_severities_not_given():
    assert parse_settings({"issue_sla_days": {"High": 5}}).dbt_vars()["issue_sla_days"] == {
        "Critical": 2,
        "High": 5,
        "Medium": 20,
        "Low": 40,
    }
    with pytest.raises(ConfigError, match="issue_sla_days"):
        parse_settings({"issue_sla_days": {"Urgent": 1}})


def test_the_forecast_settings_reach_dbt_and_a_history_too_short_to_forecast_is_refused():
    settings = parse_settings({"forecast": {"history_weeks": 8, "trials": 2000}})
    assert (settings.forecast.history_weeks, settings.forecast.trials) == (8, 2000)
    assert settings.dbt_vars()["forecast_history_weeks"] == 8
    # fewer than 6 weeks could never forecast (DESIGN §5b): the key is named
    with pytest.raises(ConfigError, match=r"bad value for 'forecast\.history_weeks'"):
        parse_settings({"forecast": {"history_weeks": 4}})


def test_attachments_are_chosen_per_recipient_role_and_an_unknown_kind_is_refused():
    settings = parse_settings(
        {"delivery": {"attachments": ["pdf", "xlsx"], "attachments_by_role": {"Sponsor": ["pptx", "pdf"]}}}
    )
    # the role as the Distribution sheet spells it, in any case and with stray spaces
    assert settings.delivery.attachments_for_role(" sponsor ") == ["pptx", "pdf"]
    assert settings.delivery.attachments_for_role("Project Manager") == ["pdf", "xlsx"]
    assert settings.delivery.attachments_for_role(None) == ["pdf", "xlsx"]
    assert parse_settings({}).delivery.attachments == ["pdf", "xlsx", "pptx", "html"]
    assert parse_settings({}).delivery.max_message_bytes == 10 * 1024 * 1024
    with pytest.raises(ConfigError, match=r"bad value for 'delivery\.attachments_by_role\.Sponsor\.0'"):
        parse_settings({"delivery": {"attachments_by_role": {"Sponsor": ["docx"]}}})


def test_the_pack_prints_on_a4_or_letter():
    assert parse_settings({}).pack.page_size == "A4"
    assert parse_settings({"pack": {"page_size": "Letter"}}).pack.page_size == "Letter"
    with pytest.raises(ConfigError, match=r"bad value for 'pack\.page_size'"):
        parse_settings({"pack": {"page_size": "A3"}})
