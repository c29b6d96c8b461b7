"""The benchmark's table, its JSON and benchmarks/README.md name the same keys."""

from pathlib import Path

import pytest

from benchmarks.report import (
    KEYS,
    UndocumentedKeys,
    format_table,
    require_documented,
    write_results,
)

README = Path(__file__).resolve().parents[3] / "benchmarks" / "README.md"


def results() -> dict[str, object]:
    """A run's results: every key, with values of the types the run writes."""
    written: dict[str, object] = dict.fromkeys(KEYS, 1)
    written.update(
        kafka_version="4.3.1",
        store="sqlite",
        order="ABBA",
        data_dir="/var/bench/run-1",
        data_dir_filesystem="ext4 on /dev/vda",
        python="3.11",
        timestamp="2026-12-01T00:00:00+00:00",
        workload_event_types={"opportunity.registered": 1},
        all_rounds_events_per_s={"relay": [1]},
        register_commands_per_s_postgres=None,
    )
    return written


@pytest.mark.parametrize("key", KEYS)
def test_the_readme_describes_every_key_the_run_writes(key):
    assert f"`{key}`" in README.read_text(), f"benchmarks/README.md does not name `{key}`"


def test_the_printed_table_lists_every_key():
    table = format_table(results())
    missing = [key for key in KEYS if f"  {key} " not in table]
    assert not missing


def test_a_key_outside_the_list_is_refused(tmp_path):
    with pytest.raises(UndocumentedKeys, match="new_figure"):
        write_results({**results(), "new_figure": 1}, tmp_path)
    assert not (tmp_path / "latest.json").exists()


def test_a_listed_key_the_run_did_not_write_is_refused():
    written = results()
    del written["relay_startup_ms"]
    with pytest.raises(UndocumentedKeys, match="relay_startup_ms"):
        require_documented(written)
