"""How domain values that JSON lacks (dates, enums) are stored in the event store."""

from datetime import date
from enum import Enum
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

from domain.program import CertificationKind, Specialization, Tier


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class EnumAsValue(Transcoding):
    """Stores an enum member by value, under a name that stays stable if the class moves."""

    def __init__(self, enum_type: type[Enum], name: str) -> None:
        self.type = enum_type
        self.name = name

    def encode(self, obj: Enum) -> Any:
        return obj.value

    def decode(self, data: Any) -> Enum:
        member: Enum = self.type(data)
        return member


ENUM_TRANSCODINGS: tuple[tuple[type[Enum], str], ...] = (
    (Tier, "tier"),
    (CertificationKind, "certification_kind"),
    (Specialization, "specialization"),
)


def register_domain_transcodings(transcoder: JSONTranscoder) -> None:
    transcoder.register(DateAsISO())
    for enum_type, name in ENUM_TRANSCODINGS:
        transcoder.register(EnumAsValue(enum_type, name))
