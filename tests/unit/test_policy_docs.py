"""The receiver example of docs/policies.md, run as written: it accepts what budgetbot
signs and refuses a changed body, another secret and a stale timestamp."""

import re
import time
from pathlib import Path
from typing import Any

import pytest

from bot.services.policy_deliveries import headers

DOC = Path(__file__).resolve().parents[2] / "docs" / "policies.md"


def _receiver(monkeypatch: pytest.MonkeyPatch) -> Any:
    (code,) = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len([line for line in code.splitlines() if line.strip()]) <= 10  # ten lines
    monkeypatch.setenv("CI_HOOK_SECRET", "doc-secret")
    space: dict[str, Any] = {}
    exec(compile(code, str(DOC), "exec"), space)
    return space["verified"]


def test_the_documented_receiver_checks_the_signature(monkeypatch: pytest.MonkeyPatch) -> None:
    verified = _receiver(monkeypatch)
    body, now = b'{"id":"evt-1","event":"frozen"}', int(time.time())
    assert verified(headers("evt-1", "doc-secret", body, now), body)
    assert not verified(headers("evt-1", "doc-secret", body, now), body + b" ")
    assert not verified(headers("evt-1", "other-secret", body, now), body)
    assert not verified(headers("evt-1", "doc-secret", body, now - 3600), body)
