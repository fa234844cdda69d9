"""Bounded integers for the API's inputs: path ids, id filters, pagination and years.

A number the database cannot hold (an id of 23 digits, an offset of 2^63) used to reach the query
and fail there with a server error. These types refuse it as input instead: a 422 with the error
envelope, and the bound is published in the OpenAPI schema. Every integer an API operation reads
(path, query or body) uses one of them; ``tests/test_openapi.py`` fails on an unbounded one.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

# The range of the database's integer columns (BigAutoField, bigint on PostgreSQL, INTEGER on SQLite).
DB_INT_MIN = -(2**63)
DB_INT_MAX = 2**63 - 1
# No list is longer: an offset beyond it (or offset + limit) could not be a row.
OFFSET_MAX = 2**31 - 1
# The years a filter or period may name (Python's dates end at 9999; a case or plan is of our time).
YEAR_MIN = 1900
YEAR_MAX = 2999

# IntegerField and PositiveIntegerField are 32-bit on PostgreSQL (versions, head-counts, days);
# PositiveSmallIntegerField is 16-bit (visits a year). A larger number fails in the database
# ("integer out of range") and, on PostgreSQL, spoils the rest of the request's transaction.
INT_MIN = -(2**31)
INT_MAX = 2**31 - 1
SMALL_INT_MAX = 2**15 - 1

Id = Annotated[int, Field(ge=DB_INT_MIN, le=DB_INT_MAX)]
BigInt = Annotated[int, Field(ge=DB_INT_MIN, le=DB_INT_MAX)]
DbInt = Annotated[int, Field(ge=INT_MIN, le=INT_MAX)]
SmallInt = Annotated[int, Field(ge=-(2**15), le=SMALL_INT_MAX)]
Offset = Annotated[int, Field(ge=0, le=OFFSET_MAX)]
Year = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX)]
