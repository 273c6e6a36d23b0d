"""`budgetbot serve` on a PostgreSQL server that dies and comes back: health and the gate
API say so (503, never 500), and both recover without a restart of the bot."""

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.support.catalogs import mixed_catalog
from tests.support.pg_server import postgres_server
from tests.support.server import ServeProcess, serve
from tests.support.slack_api import SlackStandIn
from tests.support.waiting import wait_until

TOKEN = "e2e-api-token"


def gate(bot: ServeProcess) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        f"{bot.url}/api/v1/gate?service=steady", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, json.loads(exc.read())


def test_the_database_dies_and_comes_back(
    tmp_path: Path, prom: Any, slack_api: SlackStandIn
) -> None:
    catalog = mixed_catalog(tmp_path, prom.url)
    with postgres_server() as db:
        env = {"DATABASE_URL": db.url, "BUDGETBOT_API_TOKEN": TOKEN}
        with serve(
            tmp_path, catalog, slack_api.api_url, BUDGETBOT_NOW=prom.end.isoformat(), **env
        ) as bot:
            assert gate(bot)[0] == 200
            db.kill()
            status, body = gate(bot)
            assert status == 503 and "cannot decide now" in body["error"]  # never 500
            health_status, health = bot.get("/healthz")
            assert health_status == 503 and json.loads(health)["database"].startswith("error")
            db.start()
            wait_until(lambda: gate(bot)[0] == 200, 40, "the gate API did not recover")
            wait_until(lambda: bot.get("/healthz")[0] == 200, 40, "health did not recover")
