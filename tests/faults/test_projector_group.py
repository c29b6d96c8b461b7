"""Several projector processes in one consumer group, members killed and joining as events flow.

Three members share the partitions. Again and again one is killed with SIGKILL and another
starts (sometimes before, sometimes after the kill), so partitions move between members
while the relay keeps publishing what a writer records. Each change waits for the group to be
stable with its current members (as the coordinator describes it), and the member killed is
one that holds partitions then: a kill of a member holding none would move nothing. The group
must still project every event exactly once: its stored offsets reach the end of every
partition, the projections agree with the store and equal a rebuild, and no member ever fails.
"""

from __future__ import annotations

import random
import time

import pytest

from tests.faults.group import GroupView
from tests.faults.killing import Kill, describe
from tests.faults.processes import Processes, Spawned
from tests.faults.progress import ProjectorProgress, RelayProgress
from tests.faults.projections_agree import assert_projections_complete_and_rebuildable
from tests.faults.published import assert_exactly_once_in_order, stored_positions
from tests.faults.seeded import seeded_store
from tests.faults.windows import HOLDING_PARTITIONS, require_windows
from tests.fixtures.infrastructure import ledger_env

pytestmark = [pytest.mark.slow, pytest.mark.kafka]

MEMBERS = 3
MEMBERSHIP_CHANGES = 4
# Every kill is of a member holding partitions when the group was last described stable.
REQUIRED = {HOLDING_PARTITIONS: MEMBERSHIP_CHANGES}
SEED_DAYS = 200
CATCH_UP_TIMEOUT_S = 90.0


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def projection_urls(request: pytest.FixtureRequest, tmp_path) -> tuple[str, str]:
    """The live projection database and a fresh one for the rebuild, of the same kind."""
    if request.param == "postgres":
        create = request.getfixturevalue("postgres_databases")
        return create(), create()
    return f"sqlite:///{tmp_path / 'projections.sqlite'}", f"sqlite:///{tmp_path / 'replay.sqlite'}"


def change_membership(
    processes: Processes,
    members: list[Spawned],
    group: GroupView,
    rng: random.Random,
    changes: int,
) -> list[Kill]:
    kills = []
    for _ in range(changes):
        group.wait_until_stable_with(m.name for m in members)
        time.sleep(rng.uniform(0.5, 2.0))  # events keep flowing through the stable group
        for member in members:
            member.expect_alive()
        joins_first = rng.random() < 0.5
        if joins_first:
            members.append(new_member(processes))
            time.sleep(rng.uniform(0.0, 2.0))
        candidates = members[:-1] if joins_first else members
        holdings = group.wait_until_stable_with(m.name for m in members)
        holders = [m for m in candidates if holdings.get(m.name, 0) > 0]
        leaving = rng.choice(holders or candidates)
        leaving.sigkill()
        held = holdings.get(leaving.name, 0) > 0
        windows = frozenset([HOLDING_PARTITIONS]) if held else frozenset()
        planned = "after a join" if joins_first else "before a join"
        kills.append(Kill(leaving.name, planned, False, 0, leaving.orphans_outlive(), windows))
        members.remove(leaving)
        if not joins_first:
            members.append(new_member(processes))
    return kills


def new_member(processes: Processes) -> Spawned:
    return processes.ledger("project", label="member", named_client=True)


def wait_for_group_to_finish(
    members: list[Spawned], projected: ProjectorProgress, relayed: RelayProgress
) -> None:
    """Until the group's stored offsets are the end of every partition."""
    end = relayed.held_on_kafka()
    deadline = time.monotonic() + CATCH_UP_TIMEOUT_S
    while projected.offsets() < end:
        for member in members:
            member.expect_alive()
        assert time.monotonic() < deadline, f"the group stopped at {projected.offsets()} of {end}"
        time.sleep(0.2)


def test_a_group_of_projectors_changing_members_projects_every_event_once(
    kafka_bootstrap, projection_urls, tmp_path, spawner, fault_seed, report
):
    rng = random.Random(fault_seed)
    live_url, replay_url = projection_urls
    env = {**ledger_env(kafka_bootstrap, tmp_path / "ledger"), "LEDGER_PROJECTIONS_URL": live_url}
    settings, ledger = seeded_store(env, fault_seed, SEED_DAYS)
    processes = spawner(env)
    relayed, projected = RelayProgress(settings), ProjectorProgress(settings)
    relay = processes.ledger("relay")
    writer = processes.module("tests.faults.writer", "--first", "1000", label="writer")
    members = [new_member(processes) for _ in range(MEMBERS)]
    group = GroupView(kafka_bootstrap, settings.projector_group)
    try:
        kills = change_membership(processes, members, group, rng, MEMBERSHIP_CHANGES)
    finally:
        writer.terminate()
        group.close()
    writer.finish()
    assert relay.terminate() == 0, relay.output()
    processes.run_ledger("relay", "--once")
    wait_for_group_to_finish(members, projected, relayed)
    relayed.close()
    projected.close()
    for member in members:
        assert member.terminate() == 0, member.output()

    stored = stored_positions(ledger)
    assert_exactly_once_in_order(settings, stored)
    assert_projections_complete_and_rebuildable(settings, ledger, replay_url)
    kind = live_url.split(":", 1)[0]
    report(
        f"projector group on {kind} (seed {fault_seed}): {MEMBERS} members survived "
        f"{describe(kills)} and {MEMBERSHIP_CHANGES} joins "
        f"({len(processes.spawned) - 3} member processes in all); {len(stored):,} events projected "
        "once, replay equals live"
    )
    require_windows(kills, REQUIRED, fault_seed)
