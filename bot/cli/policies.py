"""`budgetbot policies deliveries` (the events and their attempts) and `budgetbot policies
test NAME` (one signed test event, so that a receiver can be verified). DESIGN 9.5."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from bot.cli.common import EXIT_OK, EXIT_USAGE, UsageError, bootstrap, complain, stdout, unknown
from bot.times import format_time

if TYPE_CHECKING:
    from bot.settings import Settings
    from storage.policies import Attempt, Delivery


def policies(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "test":
        return _test(args, settings)
    if args.name:
        raise UsageError("policies deliveries takes no name")
    with bootstrap(args, settings) as boot, boot.uow.read() as store:
        rows = [as_json(d, attempts) for d, attempts in store.policies.deliveries()]
    if args.format == "json":
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    from rich.table import Table
    from rich.text import Text

    table = Table("Event id", "Policy", "Service", "Event", "At", "State", "Attempts", "Last")
    for r in rows:
        tried = r["attempt_log"]
        last = tried[-1] if tried else None  # type: ignore[index]
        table.add_row(
            str(r["id"]),
            Text(str(r["policy"])),
            Text(str(r["service"])),
            str(r["event"]),
            str(r["created_at"]),
            str(r["state"]),
            str(r["attempts"]),
            Text(_attempt_line(last) if last else "-"),
        )
    stdout().print(table)
    return EXIT_OK


def _attempt_line(attempt: dict[str, object]) -> str:
    status = attempt["status"] if attempt["status"] is not None else "no answer"
    return f"{attempt['at']}: {status} {attempt['detail']}"


def as_json(delivery: Delivery, attempts: list[Attempt]) -> dict[str, object]:
    """One event: where it stands and each attempt (never a secret; no receiver URL)."""
    return {
        "id": delivery.id,
        "policy": delivery.policy,
        "service": delivery.service,
        "event": delivery.event,
        "kind": delivery.kind,
        "state": delivery.state,
        "attempts": delivery.attempts,
        "created_at": format_time(delivery.created_at),
        "next_attempt_at": format_time(delivery.due_at) if delivery.state == "pending" else None,
        "finished_at": format_time(delivery.finished_at) if delivery.finished_at else None,
        "attempt_log": [
            {"at": format_time(a.at), "ok": a.ok, "status": a.status, "detail": a.detail}
            for a in attempts
        ],
    }


def _test(args: argparse.Namespace, settings: Settings) -> int:
    if not args.name:
        raise UsageError("policies test needs the name of a policy")
    with bootstrap(args, settings) as boot:
        names = [p.name for p in boot.catalog.policies]
        if args.name not in names:
            raise unknown("policy", args.name, names)
        answer = boot.deliveries.test(args.name, boot.now())
    status = answer.status if answer.status is not None else "no answer"
    print(f"policy {args.name}: test event sent, receiver answered {status}: {answer.excerpt}")
    if not answer.ok:
        complain(f"the receiver of policy {args.name} did not accept the test event")
        return EXIT_USAGE
    return EXIT_OK
