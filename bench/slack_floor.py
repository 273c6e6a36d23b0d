"""The floor of bench/slack_load.py: a bolt app whose /slo listener only acks.

It is served the way `budgetbot serve` serves budgetbot: the bolt App configured by
bot.slack.app.bare_app, behind bot.web's ASGI app (the same signature check on the raw
body, the same hand-off of bolt's dispatch to a thread), run by uvicorn with the same
options. Only the listener differs, so budgetbot's p99 over this one's is what
budgetbot's own work before the ack costs under the same load.

Run as `python -m bench.slack_floor` with SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN and PORT.
"""

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    import uvicorn
    from slack_bolt import Ack

    from bot.observability import BotMetrics
    from bot.settings import Settings
    from bot.slack.app import bare_app, web_client
    from bot.slack.ids import SLO_COMMAND
    from bot.web import create_web_app

    settings = Settings.from_env()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app = bare_app(settings, web_client(settings))

    @app.command(SLO_COMMAND)
    def slo(ack: Ack) -> None:
        ack()

    web = create_web_app(
        app, lambda: (True, {"status": "ok"}), BotMetrics(), None, settings.slack_signing_secret
    )
    uvicorn.run(web, host="127.0.0.1", port=settings.port, log_level="warning", access_log=False)


@contextmanager
def floor(workdir: Path, api_url: str) -> Iterator[str]:
    """Start the floor app on a free loopback port; yields its base URL."""
    from tests.support.cli import clean_env, closed_port
    from tests.support.server import BOT_TOKEN, SIGNING_SECRET, healthy

    port = closed_port()
    env = clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=api_url,
        PORT=str(port),
    )
    command = [sys.executable, "-m", "bench.slack_floor"]
    with healthy(command, env, port, workdir / "floor.log", timeout=30, cwd=ROOT) as app:
        yield app.url


if __name__ == "__main__":
    main()
