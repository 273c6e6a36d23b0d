"""The one shape of events query that many SLOs can share a read of. Pure.

`sum(increase(metric{matchers}[{{.window}}]))` counts the events of the series its matchers
select. Many such queries over one metric are answered by one query per window segment,
`sum by (<their labels>) (increase(metric{...}[segment] offset ...))`, whose series are
then matched to each query here, as Prometheus would match them.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

OPS = ("=", "!=", "=~", "!~")


@dataclass(frozen=True)
class Matcher:
    label: str
    op: str  # one of OPS
    value: str

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        return re.compile(self.value, re.ASCII)

    def matches(self, labels: Mapping[str, str]) -> bool:
        """As Prometheus matches: an absent label is the empty string; regexes are anchored."""
        got = labels.get(self.label, "")
        if self.op == "=":
            return got == self.value
        if self.op == "!=":
            return got != self.value
        found = self._pattern.fullmatch(got) is not None
        return found if self.op == "=~" else not found


@dataclass(frozen=True)
class Scan:
    """A query of the shared shape: its metric and its matchers (besides the name)."""

    metric: str
    matchers: tuple[Matcher, ...]

    def matches(self, labels: Mapping[str, str]) -> bool:
        return all(m.matches(labels) for m in self.matchers)

    def equal(self, label: str) -> str | None:
        """The value this scan's `label` must equal, if it has such a matcher."""
        return next((m.value for m in self.matchers if m.label == label and m.op == "="), None)
