"""The four roles of Padrón SIG, as Django groups."""

from enum import StrEnum


class Role(StrEnum):
    SUPERVISOR = "supervisor"  # field supervisors: weekly street surveys
    ANALYST = "analista"  # feasibility analysts, with Operations
    HEAD = "jefe"  # head of the commercial department
    ADMIN = "admin"  # system administrators


# Roles that may see holders' personal data unmasked.
ROLES_WITH_PERSONAL_DATA = frozenset({Role.ANALYST, Role.HEAD, Role.ADMIN})
