"""Where a subscriber sets aside messages it cannot decode, when not on a Kafka topic."""

from __future__ import annotations

import logging
from collections.abc import Callable

from consumers.dead_letters import DeadLetter

_log = logging.getLogger(__name__)

DeadLetterCallback = Callable[[DeadLetter], None]


class CallbackDeadLetters:
    """Hands each dead letter to a function, inside the transaction that moves past it.

    If that transaction then fails, the message is read again and the function called again:
    dead letters are delivered at least once; `DeadLetter.origin` and `.offset` identify repeats.
    """

    def __init__(self, callback: DeadLetterCallback) -> None:
        self.callback = callback

    def send(self, letters: list[DeadLetter]) -> None:
        for letter in letters:
            self.callback(letter)

    def close(self) -> None:
        pass


def log_dead_letter(letter: DeadLetter) -> None:
    """The default: a warning; the subscriber's `dead_letter` table keeps the record."""
    _log.warning(
        "dead letter %s[%d]@%d: %s",
        letter.origin.topic,
        letter.origin.partition,
        letter.offset,
        letter.reason,
    )
