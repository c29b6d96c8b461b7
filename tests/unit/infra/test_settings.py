from pathlib import Path

import pytest

from infra.settings import Settings, SettingsError
from infra.store.event_store import event_store_env
from infra.store.urls import sqlalchemy_url


def test_defaults_are_sqlite_files_under_the_data_dir_and_a_local_broker():
    settings = Settings.from_env({})
    assert settings.event_store_url == "sqlite:///var/events.sqlite"
    assert settings.projections_url == "sqlite:///var/projections.sqlite"
    assert settings.kafka_bootstrap_servers == "127.0.0.1:9092"
    assert not settings.kafka_is_external


def test_database_url_moves_both_stores_to_postgresql():
    settings = Settings.from_env({"LEDGER_DATABASE_URL": "postgresql://u:p@db:5433/ledger"})
    assert settings.event_store_url == settings.projections_url == "postgresql://u:p@db:5433/ledger"


def test_external_broker_means_start_nothing():
    settings = Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": "kafka:9092"})
    assert settings.kafka_is_external
    assert settings.kafka_bootstrap_servers == "kafka:9092"


@pytest.mark.parametrize("value", ["six", "0", "-1"])
def test_malformed_numbers_name_the_variable(value):
    with pytest.raises(SettingsError, match="LEDGER_TOPIC_PARTITIONS"):
        Settings.from_env({"LEDGER_TOPIC_PARTITIONS": value})


def test_postgres_url_maps_to_the_native_recorder_with_a_lock_timeout():
    env = event_store_env("postgresql://ledger:s3cret@127.0.0.1:5432/ledger", lock_timeout_s=7)
    assert env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
    assert env["POSTGRES_DBNAME"] == "ledger"
    assert env["POSTGRES_PASSWORD"] == "s3cret"
    assert env["POSTGRES_LOCK_TIMEOUT"] == "7"
    assert "POSTGRES_ENABLE_DB_FUNCTIONS" not in env


def test_sqlite_url_maps_to_a_file(tmp_path: Path):
    env = event_store_env(f"sqlite:///{tmp_path}/sub/events.sqlite")
    assert env == {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": f"{tmp_path}/sub/events.sqlite",
        "APPLICATION_RECORDER_TOPIC": "infra.store.sqlite_recorder:SQLiteRequestRecorder",
    }
    assert (tmp_path / "sub").is_dir()


def test_unsupported_url_is_rejected_without_leaking_the_password():
    with pytest.raises(SettingsError) as raised:
        event_store_env("mysql://u:hunter2@db/ledger")
    assert "hunter2" not in str(raised.value)


def test_sqlalchemy_uses_psycopg3_for_postgresql():
    assert sqlalchemy_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"


def test_the_relay_encodes_in_a_process_of_its_own_unless_told_otherwise():
    assert Settings.from_env({}).relay_encoder == "process"
    assert Settings.from_env({"LEDGER_RELAY_ENCODER": "inline"}).relay_encoder == "inline"
    with pytest.raises(SettingsError, match="LEDGER_RELAY_ENCODER='threads' must be one of"):
        Settings.from_env({"LEDGER_RELAY_ENCODER": "threads"})


def test_the_projector_client_id_is_kafka_pythons_default_unless_named():
    assert Settings.from_env({}).kafka_client_id is None
    named = Settings.from_env({"LEDGER_KAFKA_CLIENT_ID": "projector-eu-1"})
    assert named.kafka_client_id == "projector-eu-1"


def test_the_api_reads_bodies_up_to_one_mebibyte_unless_told_otherwise():
    assert Settings.from_env({}).api_max_body_bytes == 1024 * 1024
    assert Settings.from_env({"LEDGER_API_MAX_BODY_BYTES": "4096"}).api_max_body_bytes == 4096
    for bad in ("1MB", "0", "-5"):
        with pytest.raises(SettingsError, match="LEDGER_API_MAX_BODY_BYTES"):
            Settings.from_env({"LEDGER_API_MAX_BODY_BYTES": bad})
