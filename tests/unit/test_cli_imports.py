"""`budgetbot --help` loads none of the heavy libraries the commands load when they run."""

import subprocess
import sys

HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "matplotlib", "slack_bolt", "slack_sdk",
         "jinja2", "apscheduler", "starlette", "uvicorn", "prometheus_api_client", "rich",
         "yaml")  # fmt: skip


def test_help_imports_no_heavy_library() -> None:
    probe = (
        "import sys, contextlib, io\n"
        "from bot.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main(['--help'])\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == ""
