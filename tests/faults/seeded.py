"""A fault test's store, opened on its environment and filled with a seeded scenario."""

from __future__ import annotations

from collections.abc import Mapping

from domain.ledger import Ledger
from infra.scenario.seed import run_seed_scenario
from infra.settings import Settings
from infra.store.event_store import open_ledger


def seeded_store(env: Mapping[str, str], fault_seed: int, days: int) -> tuple[Settings, Ledger]:
    """The settings of `env` and its ledger, holding `days` of the scenario for this seed (the
    same fault seed gives the same history, so a failing schedule replays on the same events)."""
    settings = Settings.from_env(dict(env))
    ledger = open_ledger(settings)
    run_seed_scenario(ledger, seed=fault_seed % 1000, days=days)
    return settings, ledger
