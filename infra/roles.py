"""The roles a bearer token carries, and what each may read or do.

Apart from `infra.tokens` so that the command line can list them in its help without loading
the token store's schemas (and marshmallow with them) on every `ledger` start.
"""

from __future__ import annotations

from enum import Enum


class Role(Enum):
    OPS = "ops"  # reads everything
    AUDITOR = "auditor"  # reads everything, plus the audit endpoints
    CHANNEL_MANAGER = "channel-manager"  # reads everything and sends commands
    PARTNER = "partner"  # reads its own partner's status, registrations and quotes
