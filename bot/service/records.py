"""The values and frozen results use cases take and return, for adapters to import.

Adapters import these from here, never from ``storage``: the service layer is their one
dependency. (They are defined in ``storage``, where the repositories make them.)
"""

from storage.records import (
    CodeCount,
    ConsentRecord,
    CoordinatorRecord,
    GroupRecord,
    IssuedCodes,
    RoundRecord,
    RoundSummary,
    SchoolRecord,
)
from storage.repositories.schools import NewSchool
from storage.values import (
    RoundStatus,
    SchoolCode,
    Sector,
    parse_name,
    parse_school_year,
    parse_sector,
    school_year_of,
)

__all__ = [
    "CodeCount",
    "ConsentRecord",
    "CoordinatorRecord",
    "GroupRecord",
    "IssuedCodes",
    "NewSchool",
    "RoundRecord",
    "RoundStatus",
    "RoundSummary",
    "SchoolCode",
    "SchoolRecord",
    "Sector",
    "parse_name",
    "parse_school_year",
    "parse_sector",
    "school_year_of",
]
