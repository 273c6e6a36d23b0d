"""Google's slo-generator (PyPI `slo-generator`), run beside budgetbot on the same Prometheus.

It lives in a venv of its own (its dependencies are not budgetbot's) and runs as a user runs
it on a catalog: one `slo-generator compute -f <folder> -c <config> -t <unix time>` over a
folder holding one SLO file per spec. Each SLO uses the Prometheus backend's `good_bad_ratio`
method, which sends `sum(increase(<filter>[<window>s]))` for `filter_good` and `filter_valid`
(bad = valid - good), i.e. two queries per error budget policy step. Each SLO's policy has a
step per window budgetbot reads: the SLO window plus `burn_windows()` (5m ... 3d).

Timestamp: `--timestamp` only stamps the report; the backend queries Prometheus without a
`time` parameter, i.e. at the server's now. So every filter carries the PromQL `@ <unix time>`
modifier after its range, which makes Prometheus evaluate it at `at`, as budgetbot does.

slo-generator's good_bad_ratio always queries `filter_good`, so a Spec names good and total
series (budgetbot's SLOs name bad and total): for `http_requests_total`, see `http_spec`.
"""

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from bot.domain.burn import burn_windows

VERSION = "2.6.0"
# 2.6.0 imports pkg_resources, which setuptools 81 removed.
REQUIREMENTS = (f"slo-generator[prometheus]=={VERSION}", "setuptools<81")
# Logged per report: `INFO - <name> | <step> | SLI: .. | BR: 0.4 / 1.0 | .. | Good: 12 | Bad: 3`
_REPORT = re.compile(
    r"^INFO - (?P<name>\S+)\s*\| (?P<step>\d+)s\s*\| SLI: .*"
    r"\| BR: (?P<burn>\S+) / .*\| Good: (?P<good>-?\d+)\s*\| Bad: (?P<bad>-?\d+)\s*$"
)
_PROBLEM = re.compile(r"^(WARNING|ERROR|CRITICAL) - ")
OUTPUT = "output.log"  # slo-generator's stdout and stderr of the last compute, in workdir


@dataclass(frozen=True)
class Spec:
    """One SLO: objective in percent (99.9); queries are bare series selectors, no range."""

    name: str
    service: str
    objective: float
    window_seconds: int
    good_query: str  # e.g. http_requests_total{service="svc00",code="200"}
    total_query: str  # e.g. http_requests_total{service="svc00"}


@dataclass(frozen=True)
class Figure:
    """What slo-generator reported for one SLO and window (counts are int()-truncated)."""

    good: int
    bad: int
    burn_rate: float  # rounded to 0.1 by slo-generator

    @property
    def error_ratio(self) -> float | None:
        total = self.good + self.bad
        return self.bad / total if total else None


def http_spec(name: str, service: str, objective: float, window_seconds: int) -> Spec:
    """A Spec over budgetbot's synthetic counters: good is code="200", total every code."""
    total = f'http_requests_total{{service="{service}"}}'
    good = f'http_requests_total{{service="{service}",code="200"}}'
    return Spec(name, service, objective, window_seconds, good, total)


def ensure_installed(venv: Path) -> Path:
    """Create a venv at `venv` with slo-generator installed (once: a marker file says so) and
    return its `slo-generator` executable. RuntimeError with pip's output tail on failure."""
    executable = venv / "bin" / "slo-generator"
    marker = venv / f".installed-slo-generator-{VERSION}"
    if marker.exists() and executable.exists():
        return executable
    for command in (
        [sys.executable, "-m", "venv", "--clear", str(venv)],
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *REQUIREMENTS],
    ):
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            tail = (done.stdout + done.stderr).strip()[-3000:]
            raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{tail}")
    (venv / ".gitignore").write_text("*\n", encoding="utf-8")
    marker.touch()
    return executable


def windows(spec: Spec) -> list[int]:
    """The policy steps' windows of a spec, SLO window first, then the burn windows."""
    return [spec.window_seconds, *(w for w in burn_windows() if w != spec.window_seconds)]


def _policy(window: int) -> str:
    return f"window-{window}s"


def _config(prometheus_url: str, slos: list[Spec]) -> dict[str, Any]:
    policies = {
        _policy(spec.window_seconds): {
            "steps": [
                {
                    "name": f"{w}s",  # figures() reads the window back from it
                    "window": w,
                    "burn_rate_threshold": 1.0,
                    "message_alert": "burning too fast",
                    "message_ok": "fine",
                }
                for w in windows(spec)
            ]
        }
        for spec in slos
    }
    return {
        "backends": {"prometheus": {"url": prometheus_url}},
        "exporters": {},
        "error_budget_policies": policies,
    }


def _slo(spec: Spec, at: datetime) -> dict[str, Any]:
    evaluated = f" @ {at.timestamp():.3f}"  # the backend sends no `time`: see the docstring
    return {
        "apiVersion": "sre.google.com/v2",
        "kind": "ServiceLevelObjective",
        "metadata": {
            "name": spec.name,
            "labels": {"service_name": spec.service, "feature_name": "http", "slo_name": spec.name},
        },
        "spec": {
            "description": f"{spec.name}: {spec.objective} % over {spec.window_seconds} s",
            "backend": "prometheus",
            "method": "good_bad_ratio",
            "exporters": [],
            "error_budget_policy": _policy(spec.window_seconds),
            "service_level_indicator": {
                "filter_good": f"{spec.good_query}[window]{evaluated}",
                "filter_valid": f"{spec.total_query}[window]{evaluated}",
            },
            "goal": round(spec.objective / 100, 12),  # 0.999, not 0.9990000000000001
        },
    }


def compute(
    executable: Path, prometheus_url: str, slos: list[Spec], at: datetime, workdir: Path
) -> float:
    """Write the config and one SLO file per spec into workdir, run one `slo-generator
    compute` over them all at `at` (aware) and return its wall seconds. RuntimeError if it
    fails, logs a warning or error (e.g. a filter without data), or misses a report."""
    if len({s.name for s in slos}) != len(slos):
        raise ValueError("SLO names must be unique")
    folder = workdir / "slos"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    config = workdir / "config.yaml"
    config.write_text(yaml.safe_dump(_config(prometheus_url, slos)), encoding="utf-8")
    for i, spec in enumerate(slos):
        path = folder / f"slo-{i:05d}.yaml"
        path.write_text(yaml.safe_dump(_slo(spec, at)), encoding="utf-8")
    command = [str(executable), "compute", "-f", str(folder), "-c", str(config)]
    command += ["-t", str(at.timestamp())]
    t0 = time.perf_counter()
    env = {**os.environ, "COLORED_OUTPUT": "0", "DEBUG": "0"}  # plain report lines
    done = subprocess.run(
        command, cwd=workdir, env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - t0
    (workdir / OUTPUT).write_text(done.stdout + done.stderr, encoding="utf-8")
    problems = [line for line in done.stdout.splitlines() if _PROBLEM.match(line)]
    if done.returncode != 0 or problems:
        tail = "\n".join(problems[:10]) or (done.stdout + done.stderr).strip()[-3000:]
        raise RuntimeError(f"slo-generator compute failed ({done.returncode}):\n{tail}")
    got = figures(workdir)
    missing = [(s.name, w) for s in slos for w in windows(s) if (s.name, w) not in got]
    if missing:
        raise RuntimeError(f"slo-generator reported no figures for {len(missing)}: {missing[:5]}")
    return seconds


def figures(workdir: Path) -> dict[tuple[str, int], Figure]:
    """The figures of the last compute in workdir, by (SLO name, window seconds), read from
    the report lines slo-generator logs (no exporter is needed for them)."""
    out: dict[tuple[str, int], Figure] = {}
    for line in (workdir / OUTPUT).read_text(encoding="utf-8").splitlines():
        if m := _REPORT.match(line):
            figure = Figure(int(m["good"]), int(m["bad"]), float(m["burn"]))
            out[(m["name"], int(m["step"]))] = figure
    return out
