"""The range of business dates the edge accepts, shared by the schemas and the command line.

Dates far from the program's life are typos, and dates near year 9999 overflow the validity
and review arithmetic. Apart from the schemas so that the command line can check a date
without loading marshmallow.
"""

from __future__ import annotations

from datetime import date

EARLIEST_DATE = date(1990, 1, 1)
LATEST_DATE = date(2999, 12, 31)
OUT_OF_RANGE = f"must be between {EARLIEST_DATE} and {LATEST_DATE}"
