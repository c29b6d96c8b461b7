"""Starts the local development broker unless an external one is configured."""

from __future__ import annotations

from infra.kafka.launcher import BrokerConfig, default_cache_dir, start
from infra.settings import Settings


def local_broker_config(settings: Settings) -> BrokerConfig:
    return BrokerConfig(
        home=settings.kafka_home,
        cache_dir=default_cache_dir(),
        port=settings.kafka_port,
        controller_port=settings.kafka_controller_port,
    )


def ensure_broker(settings: Settings) -> None:
    """With KAFKA_BOOTSTRAP_SERVERS set, start nothing; else make sure the local broker runs."""
    if not settings.kafka_is_external:
        start(local_broker_config(settings))
