"""Where the relay gets its encoded batches: from a process of its own, or inline.

Reading the notification log and encoding each event (JSON in, envelope and hash out) costs
about as much CPU as kafka-python's own `send`. In one process the two take turns under the
GIL; in two, the encoder prepares batch n+1 while the relay sends batch n. The relay keeps
every decision that matters for exactly-once (what was acknowledged, the checkpoint, the
seal); the encoder is a pure function of the store and the chain head it is given, so a
crash of either loses nothing: the relay restarts both from its checkpoint.

Protocol over a pipe, one request outstanding at a time: the relay sends ("next", head), the
encoder answers with the EncodedBatch after that head (empty when the store has nothing more)
or ("error", text). Requests are answered from the store as it is when they arrive; the relay
asks for the next batch before sending the current one, so an empty answer means "nothing more
as of that request", and a tailing relay simply asks again.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
from multiprocessing.connection import Connection
from typing import Any, Protocol

from contracts.wire.chain import ChainHead
from infra.relay.batches import BatchEncoder, EncodedBatch
from infra.relay.cloudevents import cloudevents_source
from infra.settings import Settings
from infra.store.availability import DatabaseUnavailable, database_unavailable

# Spawn, not fork: the relay holds a Kafka producer thread and database connections that a
# forked child would inherit in whatever state they were in.
_CONTEXT = multiprocessing.get_context("spawn")
START_TIMEOUT_S = 60.0


class RelayFeedError(RuntimeError):
    """The encoding stage failed or stopped; the relay must stop too (nothing was checkpointed)."""


class Feed(Protocol):
    def request(self, head: ChainHead) -> None: ...

    def receive(self) -> EncodedBatch: ...

    def close(self) -> None: ...


class InlineFeed:
    """Encodes in the relay's own process: for tools and tests that want one process."""

    def __init__(self, encoder: BatchEncoder) -> None:
        self.encoder = encoder
        self.pending: ChainHead | None = None

    def request(self, head: ChainHead) -> None:
        self.pending = head

    def receive(self) -> EncodedBatch:
        if self.pending is None:
            raise RelayFeedError("receive() without a request")
        head, self.pending = self.pending, None
        return self.encoder.next_batch(head)

    def close(self) -> None:
        self.pending = None


class EncoderProcess:
    """The encoding stage in a child process, reading the event store on its own connection."""

    def __init__(self, settings: Settings, partition_counts: dict[str, int]) -> None:
        self.connection, child_end = _CONTEXT.Pipe()
        self.process = _CONTEXT.Process(
            target=_serve,
            args=(child_end, settings, partition_counts),
            name="ledger-relay-encoder",
            daemon=True,
        )
        self.process.start()
        child_end.close()
        # Wait until the child has opened the store: its start-up is not the relay's work.
        self._expect("ready", self._answer(START_TIMEOUT_S))

    def request(self, head: ChainHead) -> None:
        try:
            self.connection.send(("next", head))
        except OSError:
            raise self._exited() from None

    def receive(self) -> EncodedBatch:
        answer = self._answer(None)
        if isinstance(answer, EncodedBatch):
            return answer
        if isinstance(answer, tuple) and answer and answer[0] == "unavailable":
            raise DatabaseUnavailable(f"the relay's encoder lost the event store: {answer[1]}")
        raise RelayFeedError(f"the relay's encoder failed: {_describe(answer)}")

    def close(self) -> None:
        if self.process.is_alive():
            with contextlib.suppress(OSError):  # the child may be gone already
                self.connection.send(("stop", None))
            self.process.join(timeout=5)
            if self.process.is_alive():
                self.process.kill()
                self.process.join()
        self.connection.close()

    def _answer(self, timeout: float | None) -> Any:
        if timeout is not None and not self.connection.poll(timeout):
            self.process.kill()
            raise RelayFeedError("the relay's encoder did not start in time")
        try:
            return self.connection.recv()
        except (EOFError, OSError):
            raise self._exited() from None

    def _exited(self) -> RelayFeedError:
        self.process.join(timeout=1)
        return RelayFeedError(f"the relay's encoder exited (code {self.process.exitcode})")

    @staticmethod
    def _expect(word: str, answer: Any) -> None:
        if isinstance(answer, tuple) and answer and answer[0] == "unavailable":
            raise DatabaseUnavailable(f"the relay's encoder could not open the store: {answer[1]}")
        if answer != word:
            raise RelayFeedError(f"the relay's encoder failed to start: {_describe(answer)}")


def _describe(answer: Any) -> str:
    if isinstance(answer, tuple) and answer and answer[0] in ("error", "unavailable"):
        return str(answer[1])
    return repr(answer)[:200]


def _serve(connection: Connection, settings: Settings, partition_counts: dict[str, int]) -> None:
    """The child: answer "next" requests until told to stop or the relay goes away."""
    # A terminal's Ctrl-C reaches the whole process group: the relay decides when its encoder
    # stops (it sends "stop" or goes away), so the child does not die mid-answer on its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _answer_requests(connection, settings, partition_counts)
    except (BrokenPipeError, ConnectionResetError, EOFError):
        # The relay died (SIGKILL, say) while its encoder answered: no one is left to read the
        # answer, nor a traceback, and the child holds nothing that must outlive the relay.
        return


def _answer_requests(
    connection: Connection, settings: Settings, partition_counts: dict[str, int]
) -> None:
    from infra.store.event_store import open_ledger  # noqa: PLC0415 - imported in the child only

    try:
        ledger = open_ledger(settings)
        encoder = BatchEncoder(
            ledger.recorder,
            ledger.mapper,
            partition_counts,
            settings.relay_batch_size,
            cloudevents_source(settings),
        )
    except Exception as error:  # the relay reports it; the child has no one else to tell
        connection.send(_failure(error))
        return
    connection.send("ready")
    try:
        while True:
            try:
                command, head = connection.recv()
            except EOFError:
                return  # the relay is gone (killed or closed): so is its encoder
            if command == "stop":
                return
            try:
                connection.send(encoder.next_batch(head))
            except Exception as error:
                connection.send(_failure(error))
                return
    finally:
        ledger.close()


def _failure(error: Exception) -> tuple[str, str]:
    """The answer for a failed request: "unavailable" lets the relay wait out the database."""
    kind = "unavailable" if database_unavailable(error) else "error"
    return (kind, f"{type(error).__name__}: {error}")
