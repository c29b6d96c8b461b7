"""How `ledger audit explain` shows an explanation: to a person, or as JSON."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.explain import FieldCheck
from infra.audit.explain import Explanation
from infra.output import table

SAME_ABOVE = 40  # characters


def render_explanation(found: Explanation) -> str:
    checks = found.rederivation.checks
    lines = [
        f"{found.kind} {found.decision_id}",
        f"{found.event_type} at position {found.position}, on {found.subject}",
        "",
        table(
            ["field", "recorded", "re-derived", "agrees"],
            [
                [c.name, _text(c.recorded), _rederived_text(c), "yes" if c.agrees else "NO"]
                for c in checks
            ],
        ),
        "",
        "evidence (as it stood just before the decision):",
        table(
            ["kind", "detail", "event"],
            [[e.kind, e.detail, e.event_id or "-"] for e in found.rederivation.evidence],
        ),
        "",
    ]
    if found.agrees:
        lines.append(f"agrees: yes (rules {_rules_version(found)})")
    else:
        lines.append("agrees: NO, differs on " + ", ".join(found.rederivation.disagreements))
    return "\n".join(lines)


def explanation_document(found: Explanation) -> dict[str, Any]:
    checks = found.rederivation.checks
    return {
        "id": found.decision_id,
        "kind": found.kind,
        "event_type": found.event_type,
        "position": found.position,
        "subject": found.subject,
        "rules_version": _rules_version(found),
        "agrees": found.agrees,
        "disagreements": found.rederivation.disagreements,
        "recorded": {c.name: _plain(c.recorded) for c in checks},
        "rederived": {c.name: _plain(c.rederived) for c in checks},
        "evidence": [vars(item) for item in found.rederivation.evidence],
    }


def _rederived_text(check: FieldCheck) -> str:
    # A long value (a list of event ids) is not printed twice when both sides agree on it.
    text = _text(check.rederived)
    return "(same)" if check.agrees and len(text) > SAME_ABOVE else text


def _rules_version(found: Explanation) -> Any:
    return next(c.recorded for c in found.rederivation.checks if c.name == "rules_version")


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value) if value else "(none)"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
