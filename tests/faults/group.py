"""A consumer group as its coordinator describes it: who is in it, who holds which partitions.

Members are told apart by their Kafka client id, which the fault tests set to the process's
name (`Processes.ledger(..., named_client=True)`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from kafka import KafkaAdminClient
from kafka.errors import KafkaError

STABLE_TIMEOUT_S = 90.0


class GroupView:
    def __init__(self, bootstrap_servers: str, group: str) -> None:
        self.group = group
        self.admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers)

    def describe(self) -> tuple[str, dict[str, int]]:
        """The group's state and, per member's client id, how many partitions it holds."""
        described = self.admin.describe_groups([self.group])[self.group]
        holdings = {}
        for member in described["members"]:
            assignment = member.get("member_assignment") or {}
            held = assignment.get("assigned_partitions", []) if isinstance(assignment, dict) else []
            holdings[member["client_id"]] = sum(len(t["partitions"]) for t in held)
        return described["group_state"], holdings

    def wait_until_stable_with(self, names: Iterable[str]) -> dict[str, int]:
        """Until the group is Stable with exactly `names` as members; their holdings then."""
        wanted = set(names)
        deadline = time.monotonic() + STABLE_TIMEOUT_S
        state, holdings = "unknown", {}
        while True:
            try:
                state, holdings = self.describe()
            except KafkaError as error:
                # A group the coordinator has not loaded yet (CoordinatorNotAvailable), or a
                # coordinator moving: ask again until the deadline.
                if not error.retriable:
                    raise
            else:
                if state == "Stable" and set(holdings) == wanted:
                    return holdings
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"group {self.group} not stable with {sorted(wanted)} within "
                    f"{STABLE_TIMEOUT_S:.0f} s: {state}, {holdings}"
                )
            time.sleep(0.2)

    def close(self) -> None:
        self.admin.close()
