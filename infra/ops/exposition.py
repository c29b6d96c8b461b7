"""What the API's and the health servers' `/metrics` have in common: the process's own metrics
and the choice of exposition format.

Kept apart from ``infra.ops.metrics`` so a health server, which serves only its loops'
heartbeats, does not import the stores' and Kafka's readers to get them.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, PlatformCollector, ProcessCollector
from prometheus_client.exposition import choose_encoder


def process_registry() -> CollectorRegistry:
    """A registry holding the serving process's CPU, memory, file descriptors and start time
    (``process_*``, read from /proc, so absent where there is none) and its Python
    (``python_info``).

    ``auto_describe=False``: collectors registered later that read the stores at scrape time
    must not be read once more at registration.
    """
    registry = CollectorRegistry(auto_describe=False)
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    return registry


def exposition(registry: CollectorRegistry, accept: str | None) -> tuple[bytes, str]:
    """The registry's metrics in the format the scraper's Accept header asks for (OpenMetrics
    for ``application/openmetrics-text``, else Prometheus text 0.0.4), with its content type."""
    encode, content_type = choose_encoder(accept or "")
    return encode(registry), content_type
