"""The built wheel works on its own: command, packaged demo catalog and migrations.

Builds the wheel, installs it into a fresh virtual environment and runs the command
from another directory, so nothing can come from the source tree by accident.
"""

import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.cli import clean_env

ROOT = Path(__file__).resolve().parents[2]


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=600, env=env)


def test_wheel_installs_and_runs_from_elsewhere(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    built = run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "-q",
        "-w",
        str(wheels),
        str(ROOT),
        cwd=tmp_path,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("budgetbot-*.whl")

    venv = tmp_path / "venv"
    assert run(sys.executable, "-m", "venv", str(venv), cwd=tmp_path).returncode == 0
    py = venv / "bin" / "python"
    installed = run(str(py), "-m", "pip", "install", "-q", str(wheel), cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copytree(ROOT / "examples", elsewhere / "examples")
    check = run(
        str(venv / "bin" / "budgetbot"),
        "check-config",
        "--config",
        "examples/budgetbot.yaml",
        cwd=elsewhere,
    )
    assert check.returncode == 0, check.stderr
    assert "Catalog OK" in check.stdout

    # The installed command refuses a new database until `budgetbot migrate` made it.
    command = str(venv / "bin" / "budgetbot")
    env = clean_env(DATABASE_URL="sqlite:///cli.db")
    refused = run(command, "incidents", "list", cwd=elsewhere, env=env)
    assert refused.returncode == 1 and "run budgetbot migrate" in refused.stderr
    migrated = run(command, "migrate", cwd=elsewhere, env=env)
    assert migrated.returncode == 0, migrated.stderr
    listed = run(command, "incidents", "list", "--format", "json", cwd=elsewhere, env=env)
    assert listed.returncode == 0 and listed.stdout.strip() == "[]", listed.stderr

    probe = (
        "import bot.demo.scenario as s, storage.migrate as m, sqlalchemy as sa;"
        "assert s.catalog_path().is_file(), s.catalog_path();"
        f"assert str(s.catalog_path()).startswith({str(venv)!r});"
        "m.upgrade('sqlite:///probe.db');"
        "names = sa.inspect(sa.create_engine('sqlite:///probe.db')).get_table_names();"
        "print(sorted(names))"
    )
    packaged = run(str(py), "-c", probe, cwd=elsewhere)
    assert packaged.returncode == 0, packaged.stderr
    assert "budget_snapshot" in packaged.stdout and "alembic_version" in packaged.stdout
