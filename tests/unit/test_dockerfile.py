"""The Dockerfile builds a slim multi-stage image that runs `budgetbot serve` as non-root."""

from dataclasses import dataclass, field
from pathlib import Path

import dockerfile
import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Stage:
    base: str
    name: str | None
    commands: list[dockerfile.Command] = field(default_factory=list)

    def all(self, instruction: str) -> list[dockerfile.Command]:
        return [command for command in self.commands if command.cmd == instruction]

    def last(self, instruction: str) -> dockerfile.Command:
        found = self.all(instruction)
        assert found, f"no {instruction} in stage {self.name or self.base}"
        return found[-1]


def _flag(command: dockerfile.Command, name: str) -> str | None:
    for flag in command.flags:
        if flag.startswith(f"--{name}="):
            return str(flag.split("=", 1)[1])
    return None


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    result: list[Stage] = []
    for command in dockerfile.parse_file(str(ROOT / "Dockerfile")):
        if command.cmd == "FROM":
            value = command.value
            name = value[2] if len(value) == 3 and value[1].upper() == "AS" else None
            result.append(Stage(base=value[0], name=name))
        else:
            assert result, f"{command.original!r} comes before any FROM"
            result[-1].commands.append(command)
    return result


@pytest.fixture(scope="module")
def final(stages: list[Stage]) -> Stage:
    return stages[-1]


@pytest.fixture(scope="module")
def builder(stages: list[Stage], final: Stage) -> Stage:
    sources = {_flag(copy, "from") for copy in final.all("COPY")} - {None}
    assert len(sources) == 1, f"the runtime stage should copy from one builder stage: {sources}"
    (source,) = sources
    matching = [stage for stage in stages[:-1] if stage.name == source]
    assert matching, f"COPY --from={source} names no earlier stage"
    return matching[0]


def test_multi_stage_on_slim_python(stages: list[Stage]) -> None:
    assert len(stages) >= 2
    for stage in stages:
        assert stage.base.startswith("python:3.11-slim"), stage.base


def test_runtime_copies_only_from_the_builder(final: Stage, builder: Stage) -> None:
    copies = final.all("COPY") + final.all("ADD")
    assert copies
    assert all(_flag(copy, "from") == builder.name for copy in copies)


def test_builder_builds_a_wheel(builder: Stage) -> None:
    assert any("pip wheel" in " ".join(run.value) for run in builder.all("RUN"))


def test_every_path_the_builder_copies_exists(builder: Stage) -> None:
    copies = [copy for copy in builder.all("COPY") if _flag(copy, "from") is None]
    sources = [source for copy in copies for source in copy.value[:-1]]
    assert {"pyproject.toml", "README.md", "bot", "storage", "templates"} <= {
        source.rstrip("/") for source in sources
    }
    for source in sources:
        assert (ROOT / source).exists(), f"COPY {source}: no such path in the repository"


def test_dockerignore_keeps_the_build_inputs_and_drops_the_rest(builder: Stage) -> None:
    ignored = {
        line.strip().rstrip("/")
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", "tests", ".budgetbot-demo", "bench"} <= ignored
    for copy in builder.all("COPY"):
        for source in copy.value[:-1]:
            assert source.rstrip("/") not in ignored, f"{source} is in .dockerignore"


def test_runs_as_a_numeric_non_root_user(final: Stage) -> None:
    user = final.last("USER").value[0].split(":")[0]
    assert user not in ("root", "0")
    assert user.isdigit(), "a numeric UID lets Kubernetes' runAsNonRoot verify it"


def test_healthcheck_calls_healthz_without_curl(final: Stage) -> None:
    check = final.last("HEALTHCHECK")
    assert check.value[0].upper() == "CMD"
    command = " ".join(check.value[1:])
    assert "/healthz" in command
    assert "${PORT}" in command or "$PORT" in command
    assert "curl" not in command and "wget" not in command


def test_entrypoint_and_cmd_run_serve(final: Stage) -> None:
    entrypoint = final.last("ENTRYPOINT")
    cmd = final.last("CMD")
    assert entrypoint.json and entrypoint.value == ("budgetbot",)
    assert cmd.json and cmd.value == ("serve",)


def test_exposes_the_port(final: Stage) -> None:
    exposed = {port.split("/")[0] for expose in final.all("EXPOSE") for port in expose.value}
    assert "3000" in exposed


def test_environment_defaults(final: Stage) -> None:
    env: dict[str, str] = {}
    for command in final.all("ENV"):
        pairs = command.value
        env.update(zip(pairs[::2], pairs[1::2], strict=True))
    assert env["BUDGETBOT_CONFIG"] == "/etc/budgetbot/budgetbot.yaml"
    assert env["DATABASE_URL"] == "sqlite:////var/lib/budgetbot/budgetbot.db"
    assert env["PORT"] == "3000"
    assert env["PYTHONUNBUFFERED"] == "1"
