"""Who does something: the operator, a school's coordinator, the system, or a pupil.

Every audited action records its actor's ``name``; permissions are checked by
:func:`bot.service.access.require`, never by an adapter.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    OPERATOR = "operator"  # the provider's operator, on the command line
    COORDINATOR = "coordinator"  # school staff, on a chat channel
    SYSTEM = "system"  # veilig itself: reminders
    PUPIL = "pupil"  # never allowed any staff action


@dataclass(frozen=True, slots=True)
class Actor:
    role: Role
    name: str
    coordinator_id: int | None = None

    @classmethod
    def operator(cls, name: str = "cli") -> Actor:
        return cls(Role.OPERATOR, f"operator:{name}")

    @classmethod
    def coordinator(cls, coordinator_id: int, channel: str) -> Actor:
        return cls(Role.COORDINATOR, f"coordinator:{coordinator_id}@{channel}", coordinator_id)

    @classmethod
    def system(cls, task: str = "reminders") -> Actor:
        return cls(Role.SYSTEM, f"system:{task}")

    @classmethod
    def pupil(cls) -> Actor:
        return cls(Role.PUPIL, "pupil")
