"""The native catalog format: a table of broken catalogs, then what a good one loads as."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.catalog import CatalogError, Problem, load_catalog
from bot.domain.slo import (
    Catalog,
    EventsSLI,
    GatePolicy,
    RatioSLI,
    Severity,
    SeverityThresholds,
    Tier,
)
from tests.unit.catalog.catalog_helpers import BASE, SLO, Files, find

ROOT = "budgetbot.yaml"
GOOD = BASE + SLO


def edit(old: str, new: str) -> str:
    """The good catalog with one piece of text replaced."""
    assert old in GOOD
    return GOOD.replace(old, new)


BROKEN: list[tuple[str, str, str, str]] = [
    # (id, budgetbot.yaml, path, message fragment)
    (
        "objective-100",
        edit("objective: 99.9", "objective: 100"),
        "slos[0].objective",
        "must be below 100 (an objective of 100 % leaves no error budget)",
    ),
    ("objective-0", edit("objective: 99.9", "objective: 0"), "slos[0].objective", "above 0"),
    (
        "objective-text",
        edit("objective: 99.9", 'objective: "99.9%"'),
        "slos[0].objective",
        "must be a number, got '99.9%'",
    ),
    (
        "key-typo",
        edit("objective: 99.9", "objectve: 99.9"),
        "slos[0].objectve",
        "unknown key (did you mean 'objective'?)",
    ),
    ("key-missing", edit("objective: 99.9", ""), "slos[0].objective", "is required"),
    (
        "slo-name-chars",
        edit("name: checkout-availability", "name: checkout availability"),
        "slos[0].name",
        "may only contain letters, digits",
    ),
    (
        "slo-name-empty",
        edit("name: checkout-availability", 'name: ""'),
        "slos[0].name",
        "must not be empty",
    ),
    (
        "window",
        edit("objective: 99.9", "objective: 99.9\n    window: 30 days"),
        "slos[0].window",
        "is not a duration",
    ),
    (
        "query-without-window",
        edit('code=~"5.."}[{{.window}}]', 'code=~"5.."}[5m]'),
        "slos[0].sli.events.error_query",
        "must contain the range placeholder {{.window}}",
    ),
    (
        "query-other-placeholder",
        edit('{service="checkout"}[{{.window}}]', '{service="{{.service}}"}[{{.window}}]'),
        "slos[0].sli.events.total_query",
        "found {{.service}}: the only template placeholder is {{.window}}",
    ),
    (
        "sli-both",
        edit("      events:", "      raw: {error_ratio_query: 'x[{{.window}}]'}\n      events:"),
        "slos[0].sli",
        "needs exactly one of events, raw, latency or threshold",
    ),
    (
        "sli-plugin",
        edit("      events:", "      plugin: {id: sloth-common/availability}\n      events:"),
        "slos[0].sli.plugin",
        "SLI plugins are not supported",
    ),
    (
        "sli-unknown-kind",
        edit("      events:", "      ratio:"),
        "slos[0].sli.ratio",
        "unknown key",
    ),
    (
        "unknown-service",
        edit("service: checkout\n    objective", "service: nope\n    objective"),
        "slos[0].service",
        "unknown service 'nope' (known: checkout); declare it in services:",
    ),
    (
        "service-unknown-team",
        edit("checkout: {team: payments}", "checkout: {team: payment}"),
        "services.checkout.team",
        "unknown team 'payment' (known: payments)",
    ),
    (
        "service-tier",
        edit("checkout: {team: payments}", "checkout: {team: payments, tier: prod}"),
        "services.checkout.tier",
        "must be 'production', 'staging' or 'development', got 'prod'",
    ),
    (
        "service-name",
        edit("  checkout: {team", "  check/out: {team"),
        "services.check/out",
        "service name",
    ),
    (
        "timezone",
        edit("timezone: Europe/Berlin", "timezone: Europe/Berlinn"),
        "teams.payments.timezone",
        "'Europe/Berlinn' is not an IANA time zone",
    ),
    (
        "cron-fields",
        edit("timezone: Europe/Berlin", 'timezone: Europe/Berlin, digest: "0 9 * MON"'),
        "teams.payments.digest",
        "must have 5 fields",
    ),
    (
        "cron-value",
        edit("timezone: Europe/Berlin", 'timezone: Europe/Berlin, digest: "61 9 * * MON"'),
        "teams.payments.digest",
        "invalid cron expression '61 9 * * MON'",
    ),
    (
        "cron-weekday",
        edit("timezone: Europe/Berlin", 'timezone: Europe/Berlin, digest: "0 9 * * 8"'),
        "teams.payments.digest",
        "is not a range within 0-7",
    ),
    (
        "team-channel",
        edit("channel: C0123PAY, ", ""),
        "teams.payments.channel",
        "is required",
    ),
    (
        "team-name",
        edit("  payments: {channel", "  pay ments: {channel"),
        "teams.pay ments",
        "team name",
    ),
    (
        "digest-true",
        edit("timezone: Europe/Berlin", "digest: true"),
        "teams.payments.digest",
        "must be a 5-field crontab or off",
    ),
    (
        "platform-channel",
        "platform: {digest: '0 9 * * MON'}\n" + GOOD,
        "platform.channel",
        "is required",
    ),
    (
        "platform-timezone",
        "platform: {channel: C0PLAT, timezone: Mars/Olympus}\n" + GOOD,
        "platform.timezone",
        "'Mars/Olympus' is not an IANA time zone",
    ),
    (
        "platform-cron",
        "platform: {channel: C0PLAT, digest: '0 25 * * MON'}\n" + GOOD,
        "platform.digest",
        "invalid cron expression",
    ),
    (
        "prometheus-url",
        "prometheus: {url: 'ftp://prom:9090'}\n" + GOOD,
        "prometheus.url",
        "must be an http:// or https:// URL",
    ),
    (
        "prometheus-key",
        "prometheus: {uri: 'http://prom:9090'}\n" + GOOD,
        "prometheus.uri",
        "did you mean 'url'?",
    ),
    (
        "severity-order",
        GOOD + "incidents:\n  severity: {SEV1: 5, SEV2: 10}\n",
        "incidents.severity",
        "must be descending (SEV1 > SEV2 > SEV3), got SEV1: 5, SEV2: 10, SEV3: 1",
    ),
    (
        "severity-range",
        GOOD + "incidents:\n  severity: {SEV1: 120}\n",
        "incidents.severity.SEV1",
        "at most 100",
    ),
    (
        "severity-key",
        GOOD + "incidents:\n  severity: {SEV4: 0.5}\n",
        "incidents.severity.SEV4",
        "unknown key",
    ),
    (
        "gate-order",
        GOOD + "gate:\n  staging: {caution_below: 10, freeze_below: 20}\n",
        "gate.staging.freeze_below",
        "must not be above caution_below (10)",
    ),
    (
        "gate-tier",
        GOOD + "gate:\n  prod: {caution_below: 10}\n",
        "gate.prod",
        "did you mean 'production'?",
    ),
    (
        "gate-bool",
        GOOD + "gate:\n  staging: {may_freeze: 'no'}\n",
        "gate.staging.may_freeze",
        "must be true or false",
    ),
    ("top-level-typo", GOOD + "servics: {}\n", "servics", "did you mean 'services'?"),
    ("top-level-list", "- teams\n", "[0]", "a top-level list is read as a list of OpenSLO objects"),
    ("section-type", GOOD + "include: slos.yml\n", "include", "must be a list"),
    ("duplicate-key", GOOD + "teams: {}\n", "line 13, column 1", "found duplicate key 'teams'"),
    (
        "duplicate-slo",
        GOOD + SLO.replace("slos:\n", ""),
        "slos[1].name",
        "duplicate SLO name 'checkout-availability', first defined at budgetbot.yaml: slos[0].name",
    ),
]


@pytest.mark.parametrize(
    ("text", "path", "fragment"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN]
)
def test_broken_catalog_names_file_path_and_reason(
    problems: Callable[[Files], list[Problem]], text: str, path: str, fragment: str
) -> None:
    find(problems({ROOT: text}), ROOT, path, fragment)


def test_all_problems_are_collected_not_just_the_first(
    problems: Callable[[Files], list[Problem]],
) -> None:
    text = (
        GOOD.replace("Europe/Berlin", "Mars/Olympus")
        .replace("objective: 99.9", "objective: 100")
        .replace("checkout: {team: payments}", "checkout: {team: payments}\n  x: {team: nobody}")
    )
    found = problems({ROOT: text + "gate:\n  staging: {caution_below: 101}\n"})
    assert [p.path for p in found] == [
        "teams.payments.timezone",
        "slos[0].objective",
        "gate.staging.caution_below",
        "services.x.team",
    ]


def test_problem_and_error_render_one_line_each(
    problems: Callable[[Files], list[Problem]],
) -> None:
    found = problems({ROOT: GOOD.replace("objective: 99.9", "objective: 100") + "servics: {}\n"})
    error = CatalogError(found)
    assert str(found[0]) == ("budgetbot.yaml: servics: unknown key (did you mean 'services'?)")
    assert str(error).splitlines() == [str(p) for p in found]
    assert len(found) == 2
    assert str(Problem("a.yaml", "", "file not found")) == "a.yaml: file not found"


def test_yaml_syntax_error_names_file_and_line(problems: Callable[[Files], list[Problem]]) -> None:
    text = "teams:\n  payments: {channel: C1\nservices: {}\n"
    (problem,) = problems({ROOT: text})
    assert problem.file == ROOT
    assert problem.path.startswith("line 3, column")
    assert problem.message.startswith("invalid YAML: ")


def test_missing_root_file_is_named(workdir: object) -> None:
    with pytest.raises(CatalogError) as caught:
        load_catalog("nope.yaml")
    assert [str(p) for p in caught.value.problems] == ["nope.yaml: file not found"]


def test_good_catalog_loads_with_defaults(load: Callable[[Files], Catalog]) -> None:
    catalog = load({ROOT: GOOD})
    (slo,) = catalog.slos
    assert slo.name == "checkout-availability"
    assert (slo.service, slo.team, slo.tier) == ("checkout", "payments", Tier.PRODUCTION)
    assert slo.objective == 99.9
    assert slo.window == 30 * 86400
    assert slo.source == ROOT
    assert isinstance(slo.sli, EventsSLI)
    assert catalog.teams["payments"].digest == "0 9 * * MON"
    assert catalog.teams["payments"].timezone == "Europe/Berlin"
    assert catalog.prometheus_url is None
    assert catalog.severity == SeverityThresholds()
    assert catalog.gate_policies == {}
    assert catalog.files == (ROOT,)
    assert catalog.platform is None


@pytest.mark.parametrize("value", ["off", "'off'", "false", "null"])
def test_a_team_s_scheduled_digest_can_be_off(load: Callable[[Files], Catalog], value: str) -> None:
    catalog = load({ROOT: GOOD.replace("timezone: Europe/Berlin", f"digest: {value}")})
    assert catalog.teams["payments"].digest is None


def test_the_platform_digest_section(load: Callable[[Files], Catalog]) -> None:
    catalog = load({ROOT: "platform: {channel: C0PLAT, digest: '0 10 * * 1'}\n" + GOOD})
    assert catalog.platform is not None
    assert (catalog.platform.channel, catalog.platform.digest) == ("C0PLAT", "0 10 * * MON")
    assert catalog.platform.timezone == "UTC"


def test_policies_are_converted_from_percent_to_ratios(load: Callable[[Files], Catalog]) -> None:
    text = GOOD + (
        "prometheus: {url: 'https://prom.example:9090'}\n"
        "incidents:\n  severity: {SEV1: 30, SEV2: 10, SEV3: 2}\n"
        "gate:\n  staging: {caution_below: 10, freeze_below: 5, may_freeze: false}\n"
    )
    catalog = load({ROOT: text})
    assert catalog.prometheus_url == "https://prom.example:9090"
    assert catalog.severity == SeverityThresholds(sev1=0.30, sev2=0.10, sev3=0.02)
    assert catalog.gate_policies == {
        Tier.STAGING: GatePolicy(caution_below=0.10, freeze_below=0.05, may_freeze=False)
    }
    assert catalog.gate_policy(Tier.PRODUCTION) == GatePolicy()


def test_raw_sli_window_and_placeholder_spacing(load: Callable[[Files], Catalog]) -> None:
    text = BASE + (
        "slos:\n"
        "  - name: checkout-ratio\n"
        "    service: checkout\n"
        "    objective: 99\n"
        "    window: 28d\n"
        "    sli:\n"
        "      raw:\n"
        "        error_ratio_query: >-\n"
        "          sum(rate(errors_total[{{ .window }}]))\n"
        "          / sum(rate(requests_total[{{.window}}]))\n"
    )
    (slo,) = load({ROOT: text}).slos
    assert slo.window == 28 * 86400
    assert slo.sli == RatioSLI(
        "sum(rate(errors_total[{{.window}}])) / sum(rate(requests_total[{{.window}}]))"
    )


@pytest.mark.parametrize(
    ("digest", "stored"),
    [
        ("0 9 * * MON", "0 9 * * MON"),
        ("0 9 * * 1", "0 9 * * MON"),
        ("0 9 * * 0", "0 9 * * SUN"),
        ("0 9 * * 7", "0 9 * * SUN"),
        ("30 8 * * 1-5", "30 8 * * MON,TUE,WED,THU,FRI"),
        ("0 9 * * */2", "0 9 * * SUN,TUE,THU,SAT"),
        ("0 9 1 * *", "0 9 1 * *"),
    ],
)
def test_numeric_weekdays_keep_their_cron_meaning(
    load: Callable[[Files], Catalog], digest: str, stored: str
) -> None:
    # APScheduler 3 counts weekdays from Monday = 0; cron from Sunday = 0. Names are unambiguous.
    text = GOOD.replace("timezone: Europe/Berlin", f'timezone: Europe/Berlin, digest: "{digest}"')
    assert load({ROOT: text}).teams["payments"].digest == stored


def test_empty_sections_are_allowed(load: Callable[[Files], Catalog]) -> None:
    catalog = load({ROOT: "teams:\nservices:\nslos:\ninclude:\n"})
    assert (catalog.teams, catalog.services, catalog.slos) == ({}, {}, ())


def test_alert_policies_and_severity_channels(tmp_path: Path) -> None:
    catalog_file = tmp_path / "c.yaml"
    catalog_file.write_text(
        "teams:\n"
        "  t: {channel: C1, channels: {page: C9PAGE}}\n"
        "services: {s: {team: t, tier: staging}}\n"
        "alerts:\n"
        "  hysteresis: 5m\n"
        "  data_missing_after: 1h\n"
        "  staging: {max_severity: page}\n"
    )
    catalog = load_catalog(catalog_file)
    team = catalog.teams["t"]
    assert team.channel_for(Severity.PAGE) == "C9PAGE"
    assert team.channel_for(Severity.TICKET) == "C1"
    staging = catalog.alert_policy(Tier.STAGING)
    assert (staging.hysteresis, staging.data_missing_after) == (300, 3600)
    assert staging.max_severity is Severity.PAGE
    assert catalog.alert_policy(Tier.DEVELOPMENT).max_severity is Severity.TICKET


def test_alert_policy_defaults_cap_lower_tiers_at_ticket(tmp_path: Path) -> None:
    catalog_file = tmp_path / "c.yaml"
    catalog_file.write_text("teams: {t: {channel: C1}}\n")
    catalog = load_catalog(catalog_file)
    assert catalog.alert_policy(Tier.PRODUCTION).max_severity is Severity.PAGE
    assert catalog.alert_policy(Tier.STAGING).max_severity is Severity.TICKET
    assert catalog.alert_policy(Tier.PRODUCTION).hysteresis == 600


def test_bad_alert_settings_are_named(tmp_path: Path) -> None:
    catalog_file = tmp_path / "c.yaml"
    catalog_file.write_text(
        "teams: {t: {channel: C1, channels: {urgent: C2}}}\n"
        "alerts: {hysteresis: soon, staging: {max_severity: sev0}}\n"
    )
    with pytest.raises(CatalogError) as caught:
        load_catalog(catalog_file)
    text = str(caught.value)
    assert "alerts.staging.max_severity: must be 'ticket' or 'page'" in text
    assert "teams.t.channels: keys must be 'ticket' or 'page', got 'urgent'" in text
    catalog_file.write_text("teams: {t: {channel: C1}}\nalerts: {hysteresis: soon}\n")
    with pytest.raises(CatalogError, match=r"alerts\.hysteresis"):
        load_catalog(catalog_file)


def test_admins_and_action_escalation(tmp_path: Path) -> None:
    catalog_file = tmp_path / "c.yaml"
    catalog_file.write_text(
        "teams: {t: {channel: C1}}\n"
        "admins: [U0ADMIN, U1ADMIN]\n"
        "actions: {escalate_overdue_after: 3}\n"
    )
    catalog = load_catalog(catalog_file)
    assert catalog.admins == frozenset({"U0ADMIN", "U1ADMIN"})
    assert catalog.escalate_overdue_after == 3
    catalog_file.write_text("teams: {t: {channel: C1}}\nactions: {escalate_overdue_after: 0}\n")
    with pytest.raises(CatalogError, match=r"actions\.escalate_overdue_after"):
        load_catalog(catalog_file)


def test_the_store_flavor_is_read_and_checked(
    load: Callable[[Files], Catalog], problems: Callable[[Files], list[Problem]]
) -> None:
    flavored = "prometheus: {url: 'http://vm:8428', flavor: victoriametrics}\n" + BASE + SLO
    assert load({"budgetbot.yaml": flavored}).prometheus_flavor == "victoriametrics"
    assert load({"budgetbot.yaml": BASE + SLO}).prometheus_flavor is None  # detected later
    wrong = flavored.replace("flavor: victoriametrics", "flavor: influx")
    found = problems({"budgetbot.yaml": wrong})
    assert any(p.path == "prometheus.flavor" and "victoriametrics" in p.message for p in found)
