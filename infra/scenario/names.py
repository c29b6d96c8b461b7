"""The names the seed scenario draws: partners, certified people and end customers, all French."""

from __future__ import annotations

import random

_PARTNER_STEMS = (
    "Nord", "Sud", "Alpes", "Atlantique", "Azur", "Loire", "Rhone", "Seine", "Data", "Secur",
    "Archi", "Stor", "Cyber", "Infra", "Logi", "Opti", "Axi", "Vega", "Orion", "Sigma", "Helio",
    "Kappa", "Nova", "Ocea",
)  # fmt: skip
_PARTNER_TAILS = (
    "Systemes", "Conseil", "Integration", "Services", "Informatique", "Solutions",
    "Technologies", "Reseaux",
)  # fmt: skip
_FIRST_NAMES = (
    "Claire", "Julien", "Sophie", "Marc", "Lea", "Paul", "Emma", "Thomas", "Camille", "Nicolas",
    "Julie", "Antoine", "Sarah", "Pierre", "Laura", "Hugo", "Manon", "Louis", "Chloe", "Lucas",
    "Ines", "Mathieu", "Elise", "Olivier", "Anne", "Romain", "Celine", "David", "Marie", "Yann",
)  # fmt: skip
_LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "Andre", "Mercier", "Dupont", "Lambert", "Bonnet",
    "Francois", "Martinez", "Legrand",
)  # fmt: skip
_CUSTOMER_KINDS = (
    "Groupe Hospitalier", "Mairie de", "Conseil General de", "Mutuelle de", "Transports de",
    "Laboratoires de", "Assurances de", "Caisse Regionale de", "Universite de", "Clinique de",
    "Industries de", "Logistique de",
)  # fmt: skip
_CUSTOMER_PLACES = (
    "Lyon", "Lille", "Nantes", "Rennes", "Bordeaux", "Toulouse", "Grenoble", "Strasbourg",
    "Dijon", "Metz", "Rouen", "Tours", "Nice", "Brest", "Reims", "Limoges", "Angers", "Nancy",
    "Caen", "Amiens",
)  # fmt: skip


def partner_names(rng: random.Random, count: int) -> list[str]:
    return rng.sample([f"{s} {t}" for s in _PARTNER_STEMS for t in _PARTNER_TAILS], count)


def end_customers(rng: random.Random, count: int = 150) -> list[str]:
    return rng.sample([f"{k} {p}" for k in _CUSTOMER_KINDS for p in _CUSTOMER_PLACES], count)


class People:
    """Unique names for certified individuals, drawn from French first and last names."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def next_name(self) -> str:
        name = f"{self._rng.choice(_FIRST_NAMES)} {self._rng.choice(_LAST_NAMES)}"
        # 900 combinations cover the few hundred people needed; past a clash, a middle initial.
        while name in self._used:
            initial = chr(ord("A") + self._rng.randrange(26))
            name = f"{self._rng.choice(_FIRST_NAMES)} {initial}. {self._rng.choice(_LAST_NAMES)}"
        self._used.add(name)
        return name
