"""HTTP command bodies the API tests send: one partner, one deal on it."""

from __future__ import annotations

ENROL = {"code": "antemeta", "name": "Antemeta", "legacy_tier": "gold", "enrolled_on": "2010-11-02"}
DEAL = {
    "opportunity": "acme-backup-2011",
    "end_customer": "ACME",
    "specialization": "data-protection",
    "partner_code": "antemeta",
    "estimated_value": "120000",
    "expected_close": "2011-03-31",
    "presales_evidence": "POC done",
    "new_business": True,
    "registered_on": "2011-01-10",
}
