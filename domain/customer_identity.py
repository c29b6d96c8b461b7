"""Who an end customer is, beyond the string a partner typed: the identity two registrations of
the same customer share even when they spell it differently.

The name is normalized (case, accents, punctuation, a trailing legal form such as SA, SARL,
GmbH, Ltd or Inc); a company identifier, when given, is validated and reduced to the key it
shares with the company's other identifiers (a SIRET and a French VAT number both carry the
SIREN). Two registrations conflict when either key matches.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from domain.company_identifier import CompanyIdentifier, parse_company_identifier

# Legal forms dropped from the end of a name, written without their dots ("S.A.R.L." is
# "sarl" once the dots are gone). Only trailing tokens are dropped: "SA" inside a name
# (e.g. "SA Blanc Industries") is part of it.
LEGAL_FORMS = frozenset(
    {
        # France, Belgium, Luxembourg, Switzerland
        "sa", "sas", "sasu", "sarl", "eurl", "sca", "scs", "snc", "sci", "scop", "sprl", "srl",
        # Germany, Austria
        "gmbh", "ag", "kg", "kgaa", "ohg", "ug", "ev",
        # English-speaking
        "ltd", "limited", "inc", "incorporated", "llc", "llp", "plc", "corp", "corporation",
        "co", "lp",
        # Elsewhere in Europe
        "bv", "nv", "spa", "sl", "ab", "oy", "oyj", "as", "asa", "aps", "sp", "zoo",
    }
)  # fmt: skip
# "GmbH & Co. KG", "Dupont et Cie": the connector goes with the legal form it joins.
CONNECTORS = frozenset({"and", "et", "und", "cie"})
# Letters Unicode does not decompose into a base letter and an accent.
_LIGATURES = str.maketrans(
    {"æ": "ae", "œ": "oe", "ø": "o", "ß": "ss", "đ": "d", "ł": "l", "þ": "th"}
)
_DOTS = re.compile(r"\.")
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def normalize_customer_name(name: str) -> str:
    """The comparable form of a customer's name: "Société Générale S.A." and
    "SOCIETE GENERALE" both give "societe generale"."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    plain = plain.translate(_LIGATURES).replace("&", " and ")
    tokens = _NOT_WORD.sub(" ", _DOTS.sub("", plain)).split()
    while len(tokens) > 1 and tokens[-1] in LEGAL_FORMS | CONNECTORS:
        tokens.pop()
    return " ".join(tokens)


@dataclass(frozen=True)
class CustomerIdentity:
    """The keys an end customer is recognised by (name, and company when identified)."""

    normalized_name: str
    company: CompanyIdentifier | None

    @classmethod
    def of(cls, end_customer: str, company_identifier: str | None) -> CustomerIdentity:
        """The identity of a customer named as given; a company identifier is validated."""
        company = (
            parse_company_identifier(company_identifier)
            if company_identifier is not None and company_identifier.strip()
            else None
        )
        return cls(normalize_customer_name(end_customer), company)

    @property
    def claim_keys(self) -> tuple[str, ...]:
        """One key per way of recognising the customer; any shared key is a conflict."""
        keys = [f"name:{self.normalized_name}"]
        if self.company is not None:
            keys.append(self.company.claim_key)
        return tuple(keys)
