"""The program's vocabulary: metal tiers, certification kinds and technical specializations."""

from enum import Enum


class Tier(Enum):
    """Partner tiers, lowest first. Registered sits below the three metals."""

    REGISTERED = "registered"
    SILVER = "silver"
    GOLD = "gold"
    PLATINUM = "platinum"


class CertificationKind(Enum):
    """Certifications are earned by individuals, either on the sales or the technical track."""

    SALES = "sales"
    TECHNICAL = "technical"


class Specialization(Enum):
    """The nine technical specializations that together cover every line of business.

    The first eight are the ones the vendor named publicly; the ninth (messaging security)
    is the program's own choice.
    """

    DATA_PROTECTION = "data-protection"
    ENDPOINT_SECURITY = "endpoint-security"
    ENDPOINT_MANAGEMENT = "endpoint-management"
    DATA_LOSS_PREVENTION = "data-loss-prevention"
    ARCHIVING_EDISCOVERY = "archiving-ediscovery"
    IT_COMPLIANCE = "it-compliance"
    HIGH_AVAILABILITY = "high-availability"
    STORAGE_MANAGEMENT = "storage-management"
    MESSAGING_SECURITY = "messaging-security"
