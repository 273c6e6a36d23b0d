"""The SLOs of one Sloth spec, in either form: the prometheus/v1 file or its resource's spec."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import Field

from bot.catalog.checks import check_name, check_objective
from bot.catalog.errors import Problems, StrictModel, join, validate
from bot.catalog.fragment import Fragment, SLODraft
from bot.catalog.sloth_labels import Owners, label_values
from bot.catalog.sloth_sli import CAMEL, SNAKE, CamelSLIModel, SLIKeys, SLIModel, convert_sli

SLOTH_VERSION = "prometheus/v1"
SLOTH_API = "sloth.slok.dev/v1"  # the Kubernetes resource, kind PrometheusServiceLevel
SLOTH_KIND = "PrometheusServiceLevel"
SLOTH_WINDOW = 30 * 86400  # seconds; Sloth's default SLO period
IGNORED = "ignored: they shape Sloth's own rules, budgetbot computes budgets itself"


class PluginModel(StrictModel):
    id: str
    config: Any = None
    priority: int = 0


class PluginsModel(StrictModel):
    """An SLO plugin chain (slo_plugins, sloPlugins, plugins): accepted, ignored, noted."""

    overridePrevious: bool = False  # camelCase in both forms
    chain: list[PluginModel] = Field(default_factory=list)


class SLOBase(StrictModel):
    name: str
    objective: float  # percent
    description: str = ""
    labels: dict[Any, Any] | None = None  # values stringified by label_values
    plugins: PluginsModel | None = None
    alerting: Any = None  # accepted, ignored: budgetbot does its own burn-rate alerting

    def snake_sli(self) -> SLIModel:
        """The SLI in the model convert_sli reads."""
        raise NotImplementedError


class SpecSLOModel(SLOBase):
    sli: SLIModel

    def snake_sli(self) -> SLIModel:
        """The SLI as written (prometheus/v1 spells it snake_case)."""
        return self.sli


class ResourceSLOModel(SLOBase):
    sli: CamelSLIModel

    def snake_sli(self) -> SLIModel:
        """The SLI with its camelCase keys read into the snake_case model."""
        return self.sli.snake()


class SpecBase(StrictModel):
    service: str = ""  # required; checked by hand so that other problems still show
    labels: dict[Any, Any] | None = None
    slos: list[Any] = Field(default_factory=list)

    def group_plugins(self) -> PluginsModel | None:
        """The plugin chain of every SLO of the spec."""
        raise NotImplementedError


class SpecModel(SpecBase):
    """A prometheus/v1 file."""

    version: Any = None  # checked before validation
    slo_plugins: PluginsModel | None = None

    def group_plugins(self) -> PluginsModel | None:
        """slo_plugins."""
        return self.slo_plugins


class ResourceSpecModel(SpecBase):
    """The spec of a PrometheusServiceLevel resource."""

    sloPlugins: PluginsModel | None = None

    def group_plugins(self) -> PluginsModel | None:
        """sloPlugins."""
        return self.sloPlugins


@dataclass(frozen=True)
class Form:
    """One of Sloth's two spellings of a spec."""

    spec: type[SpecBase]
    slo: type[SLOBase]
    plugins_key: str
    keys: SLIKeys


SPEC_FORM = Form(SpecModel, SpecSLOModel, "slo_plugins", SNAKE)
RESOURCE_FORM = Form(ResourceSpecModel, ResourceSLOModel, "sloPlugins", CAMEL)


def read_spec(
    fragment: Fragment,
    base: str,
    mapping: Any,
    form: Form,
    outer: list[tuple[dict[str, str], str]],
    problems: Problems,
) -> None:
    """Add the SLOs of the spec at path base; outer lists labels that rank below its own."""
    file = fragment.file
    spec = validate(form.spec, mapping, file, base, problems, salvage=True)
    if spec is None:
        return
    given = mapping if isinstance(mapping, dict) else {}
    for key in ("service", "slos"):
        if key not in given:
            problems.add(file, join(base, key), "is required")
    if "slos" in spec.model_fields_set and not spec.slos:
        problems.add(
            file, join(base, "slos"), "needs at least one SLO (Sloth refuses a spec without any)"
        )
    if "service" not in spec.model_fields_set:
        return
    service_error = check_name(spec.service)
    if service_error:
        problems.add(file, join(base, "service"), service_error)
        return
    labels_path = join(base, "labels")
    labels = label_values(spec.labels, file, labels_path, problems)
    owners = Owners(file, [(labels, labels_path), *outer], join(labels_path, "team"), problems)
    notes = []
    if spec.group_plugins() is not None:
        notes.append(f"{join(base, form.plugins_key)} {IGNORED}")
    for index, raw in enumerate(spec.slos):
        path = join(join(base, "slos"), index)
        service = (spec.service, join(base, "service"))
        draft = _draft(file, path, raw, service, form, owners, problems)
        if draft is not None:
            draft.notes[:0] = notes
            fragment.slos.append(draft)


def _draft(
    file: str,
    path: str,
    raw: Any,
    service_at: tuple[str, str],
    form: Form,
    owners: Owners,
    problems: Problems,
) -> SLODraft | None:
    """One SLO, named <service>-<slo name> as Sloth's sloth_id; None if it cannot be used."""
    service, service_path = service_at
    slo = validate(form.slo, raw, file, path, problems)
    if slo is None:
        return None
    name = f"{service}-{slo.name}"
    name_error = check_name(slo.name)
    if name_error:
        problems.add(file, join(path, "name"), name_error)
    objective_error = check_objective(slo.objective)
    if objective_error:
        problems.add(file, join(path, "objective"), objective_error)
    labels = label_values(slo.labels, file, join(path, "labels"), problems)
    team, team_path, usable = owners.of(labels, join(path, "labels"))
    sli_path = join(path, "sli")
    sli = convert_sli(slo.snake_sli(), file, sli_path, f"SLO {name}", problems, form.keys)
    if name_error or not usable:
        return None
    draft = SLODraft(
        name=name,
        service=service,
        objective=slo.objective,
        window=SLOTH_WINDOW,
        sli=sli,
        description=slo.description,
        file=file,
        path=path,
        name_path=join(path, "name"),
        service_path=service_path,
        team=team,
        team_path=team_path,
        needs_declared_service=False,
        window_from_include=True,
    )
    if team is not None and not team_path.endswith(".team"):
        draft.notes.append(f"team {team} from {team_path}")
    if slo.plugins is not None:
        draft.notes.append(f"{join(path, 'plugins')} {IGNORED}")
    return draft
