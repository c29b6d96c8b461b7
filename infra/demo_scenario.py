"""A small scenario for `ledger demo`: a handful of partners carried over from the old program."""

from __future__ import annotations

from datetime import date

from domain.commands import EnrollPartner, RecordCertification
from domain.program import CertificationKind, Specialization, Tier

SALES, TECHNICAL = CertificationKind.SALES, CertificationKind.TECHNICAL

ENROLMENTS = (
    EnrollPartner("antemeta", "Antemeta", Tier.GOLD, date(2010, 11, 2)),
    EnrollPartner("datasafe", "DataSafe Integration", Tier.PLATINUM, date(2010, 11, 2)),
    EnrollPartner("nordsecure", "Nord Secure", Tier.SILVER, date(2010, 11, 3)),
    EnrollPartner("archivia", "Archivia Conseil", Tier.SILVER, date(2010, 11, 5)),
    EnrollPartner("hautedispo", "Haute Dispo SA", Tier.REGISTERED, date(2010, 11, 8)),
)

CERTIFICATIONS = (
    RecordCertification(
        "antemeta",
        "Claire Martin",
        SALES,
        Specialization.DATA_PROTECTION,
        date(2010, 11, 15),
        date(2012, 11, 15),
    ),
    RecordCertification(
        "antemeta",
        "Julien Petit",
        TECHNICAL,
        Specialization.DATA_PROTECTION,
        date(2010, 11, 20),
        date(2012, 11, 20),
    ),
    RecordCertification(
        "antemeta",
        "Sophie Bernard",
        TECHNICAL,
        Specialization.DATA_PROTECTION,
        date(2010, 12, 1),
        date(2012, 12, 1),
    ),
    RecordCertification(
        "datasafe",
        "Marc Dubois",
        SALES,
        Specialization.ENDPOINT_SECURITY,
        date(2010, 11, 10),
        date(2012, 11, 10),
    ),
    RecordCertification(
        "datasafe",
        "Lea Moreau",
        TECHNICAL,
        Specialization.ENDPOINT_SECURITY,
        date(2010, 11, 12),
        date(2012, 11, 12),
    ),
    RecordCertification(
        "nordsecure",
        "Paul Laurent",
        TECHNICAL,
        Specialization.DATA_LOSS_PREVENTION,
        date(2010, 11, 25),
        date(2012, 11, 25),
    ),
    RecordCertification(
        "archivia",
        "Emma Simon",
        SALES,
        Specialization.ARCHIVING_EDISCOVERY,
        date(2010, 12, 3),
        date(2012, 12, 3),
    ),
)

AS_OF = date(2011, 1, 1)
