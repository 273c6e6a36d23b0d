"""OpenSLO files as teams keep them: a YAML list, `---` documents, kind Service, defaults."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.catalog import Problem
from bot.domain.slo import Catalog, EventsSLI, QueryKind, Service, Tier
from tests.unit.catalog.catalog_helpers import Files, find

ROOT = "budgetbot.yaml"
FILE = "slos/checkout.yaml"
TEAMS = "teams:\n  payments: {channel: C0123PAY}\n  search: {channel: C0456SRCH}\n"

SERVICE = """\
- apiVersion: openslo/v1
  kind: Service
  metadata:
    name: checkout
    displayName: Checkout
    labels: {team: payments, tier: gold}
  spec:
    description: Card payments at the end of the basket.
"""

SLI = """\
- apiVersion: openslo/v1
  kind: SLI
  metadata: {name: checkout-declines}
  spec:
    description: Payments the gateway refused with a server error.
    ratioMetric:
      counter: true
      bad:
        metricSource:
          type: Prometheus
          spec: {promql: 'payment_attempts_total{result="error"}'}
      total:
        metricSource:
          type: prometheus
          metricSourceRef: thanos-eu
          spec: {query: payment_attempts_total}
"""

SLO = """\
- apiVersion: openslo/v1
  kind: SLO
  metadata: {name: checkout-payments}
  spec:
    service: checkout
    indicatorRef: checkout-declines
    budgetingMethod: Occurrences
    timeWindow: [{duration: 4w, isRolling: true}]
    objectives: [{target: 0.995}]
"""

BAD = 'sum(rate(payment_attempts_total{result="error"}[{{.window}}]))'
TOTAL = "sum(rate(payment_attempts_total[{{.window}}]))"
SERVICE_NOTE = "team payments from kind Service checkout (slos/checkout.yaml: {path})"


def as_documents(*items: str) -> str:
    """List items rewritten as `---` documents (the same objects, dedented by two)."""
    docs = ["\n".join(line[2:] for line in item.splitlines()) + "\n" for item in items]
    return "---\n".join(docs)


def root(*files: str, services: str = "") -> str:
    """The root catalog including the files."""
    return TEAMS + services + f"include: [{', '.join(files)}]\n"


def test_one_yaml_list_service_sli_and_slo(load: Callable[[Files], Catalog]) -> None:
    catalog = load({ROOT: root(FILE), FILE: SERVICE + SLI + SLO})
    (slo,) = catalog.slos
    assert (slo.name, slo.service, slo.team) == ("checkout-payments", "checkout", "payments")
    assert (slo.objective, slo.window) == (99.5, 28 * 86400)
    assert slo.sli == EventsSLI(error_query=BAD, total_query=TOTAL)
    assert slo.notes == (SERVICE_NOTE.format(path="[0].metadata.labels.team"),)
    assert catalog.services["checkout"] == Service("checkout", "payments", Tier.PRODUCTION)


def test_documents_the_slo_label_wins_over_the_service(load: Callable[[Files], Catalog]) -> None:
    labelled = SLO.replace(
        "{name: checkout-payments}", "{name: checkout-payments, labels: {team: [search]}}"
    )
    catalog = load({ROOT: root(FILE), FILE: as_documents(SERVICE, labelled, SLI)})
    (slo,) = catalog.slos
    assert slo.team == "search"
    assert slo.notes == ()
    assert slo.sli == EventsSLI(error_query=BAD, total_query=TOTAL)


def test_service_object_later_in_the_file_still_gives_the_team(
    load: Callable[[Files], Catalog],
) -> None:
    catalog = load({ROOT: root(FILE), FILE: as_documents(SLO, SLI, SERVICE)})
    (slo,) = catalog.slos
    assert slo.team == "payments"
    assert slo.notes == (SERVICE_NOTE.format(path="documents[2].metadata.labels.team"),)


def test_indicator_ref_to_a_list_in_another_file(load: Callable[[Files], Catalog]) -> None:
    catalog = load({ROOT: root(FILE, "slos/slis.yaml"), FILE: SERVICE + SLO, "slos/slis.yaml": SLI})
    (slo,) = catalog.slos
    assert slo.sli == EventsSLI(error_query=BAD, total_query=TOTAL)
    assert catalog.files == (ROOT, FILE, "slos/slis.yaml")


def test_list_inside_a_second_document(load: Callable[[Files], Catalog]) -> None:
    text = as_documents(SERVICE) + "---\n" + SLI + SLO
    (slo,) = load({ROOT: root(FILE), FILE: text}).slos
    assert (slo.name, slo.team) == ("checkout-payments", "payments")


def test_service_team_wins_over_the_include_team(load: Callable[[Files], Catalog]) -> None:
    text = TEAMS + f"include: [{{path: {FILE}, team: search}}]\n"
    (slo,) = load({ROOT: text, FILE: SERVICE + SLI + SLO}).slos
    assert slo.team == "payments"


def test_native_services_entry_wins_over_the_service_object(
    load: Callable[[Files], Catalog],
) -> None:
    native = "services:\n  checkout: {team: search, tier: staging}\n"
    catalog = load({ROOT: root(FILE, services=native), FILE: SERVICE + SLI + SLO})
    (slo,) = catalog.slos
    assert (slo.team, slo.tier) == ("search", Tier.STAGING)
    assert "team payments of its labels ignored: services.checkout names team search" in slo.notes


def test_service_without_team_label_leaves_the_slo_without_team(
    problems: Callable[[Files], list[Problem]],
) -> None:
    unlabelled = SERVICE.replace("{team: payments, tier: gold}", "{tier: gold}")
    found = problems({ROOT: root(FILE), FILE: unlabelled + SLI + SLO})
    problem = find(found, FILE, "[2].metadata.labels.team", "no team owns service 'checkout'")
    assert str(problem).startswith(f"{FILE}: [2].metadata.labels.team: ")


def test_service_declared_twice_in_one_file(problems: Callable[[Files], list[Problem]]) -> None:
    found = problems({ROOT: root(FILE), FILE: SERVICE + SLI + SERVICE + SLO})
    message = "Service 'checkout' is already declared at slos/checkout.yaml: [0].metadata.name"
    find(found, FILE, "[2].metadata.name", message)


def test_service_team_label_is_checked(problems: Callable[[Files], list[Problem]]) -> None:
    two = SERVICE.replace("team: payments", "team: [payments, search]")
    found = problems({ROOT: root(FILE), FILE: two + SLI + SLO})
    find(found, FILE, "[0].metadata.labels.team", "must name exactly one team, got 2")


def test_promql_with_window_is_used_as_is(load: Callable[[Files], Catalog]) -> None:
    counted = "sum(increase(payment_attempts_total[{{.window}}]))"
    sli = SLI.replace("{query: payment_attempts_total}", f"{{promql: '{counted}'}}").replace(
        """{promql: 'payment_attempts_total{result="error"}'}""",
        """{promql: 'sum(increase(payment_attempts_total{result="error"}[{{.window}}]))'}""",
    )
    (slo,) = load({ROOT: root(FILE), FILE: SERVICE + sli + SLO}).slos
    assert isinstance(slo.sli, EventsSLI)
    assert slo.sli.total_query == counted
    assert (slo.sli.error_kind, slo.sli.total_kind) == (QueryKind.COUNT, QueryKind.COUNT)


def test_no_time_window_is_30d_rolling_and_noted(load: Callable[[Files], Catalog]) -> None:
    slo_text = SLO.replace("    timeWindow: [{duration: 4w, isRolling: true}]\n", "")
    (slo,) = load({ROOT: root(FILE), FILE: SERVICE + SLI + slo_text}).slos
    assert slo.window == 30 * 86400
    assert any(n.startswith("window 30d: the file gives none") for n in slo.notes)


def test_no_time_window_takes_the_include_window(load: Callable[[Files], Catalog]) -> None:
    slo_text = SLO.replace("    timeWindow: [{duration: 4w, isRolling: true}]\n", "")
    root_text = root(FILE).replace(f"[{FILE}]", f"[{{path: {FILE}, window: 7d}}]")
    assert root_text != root(FILE)
    (slo,) = load({ROOT: root_text, FILE: SERVICE + SLI + slo_text}).slos
    assert slo.window == 7 * 86400
    assert any("window 7d from the include" in n for n in slo.notes)


def test_a_file_window_wins_over_the_include_and_says_so(
    load: Callable[[Files], Catalog],
) -> None:
    root_text = root(FILE).replace(f"[{FILE}]", f"[{{path: {FILE}, window: 7d}}]")
    (slo,) = load({ROOT: root_text, FILE: SERVICE + SLI + SLO}).slos
    assert slo.window == 28 * 86400
    assert any("the include's window 7d does not apply" in n for n in slo.notes)


def test_no_budgeting_method_is_occurrences_and_noted(load: Callable[[Files], Catalog]) -> None:
    slo_text = SLO.replace("    budgetingMethod: Occurrences\n", "")
    assert slo_text != SLO
    (slo,) = load({ROOT: root(FILE), FILE: SERVICE + SLI + slo_text}).slos
    assert any(n.startswith("no budgetingMethod: Occurrences assumed") for n in slo.notes)


@pytest.mark.parametrize(
    ("duration", "seconds"),
    [("28d", 28 * 86400), ("4w", 28 * 86400), ("1w", 7 * 86400), ("2h", 7200), ("30m", 1800)],
)
def test_rolling_durations(load: Callable[[Files], Catalog], duration: str, seconds: int) -> None:
    slo_text = SLO.replace("duration: 4w", f"duration: {duration}")
    (slo,) = load({ROOT: root(FILE), FILE: SERVICE + SLI + slo_text}).slos
    assert slo.window == seconds


def test_ignored_parts_are_noted(load: Callable[[Files], Catalog]) -> None:
    slo_text = SLO.replace(
        "    objectives: [{target: 0.995}]\n",
        "    objectives: [{target: 0.995, timeSliceTarget: 0.9}]\n"
        "    alertPolicies: [{kind: AlertPolicy, metadata: {name: fast-burn}, spec: {}}]\n",
    )
    (slo,) = load({ROOT: root(FILE), FILE: SERVICE + SLI + slo_text}).slos
    assert "alertPolicies ignored: budgetbot sends its own burn-rate alerts" in slo.notes
    assert "timeSliceTarget and timeSliceWindow ignored: budgetingMethod Occurrences" in slo.notes
