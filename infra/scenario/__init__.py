"""The seed scenario: fifteen months of the partner program for 120 partners, from one seed.

`seed` runs it; `roster`, `partners`, `specialists`, `deals` and the courses decide who does
what and when. It drives the ledger only through domain commands, as an operator would.
"""
