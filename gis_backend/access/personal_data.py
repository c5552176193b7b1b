"""Holders' personal data: who may see it unmasked, and the access log.

Decision: for a user without a role in ``ROLES_WITH_PERSONAL_DATA`` (a supervisor), every
personal field (name, phone, e-mail, notification address) is sent as ``null`` and the feature
says ``"holder_masked": true``. Not initials or partial values: initials of a name are still a
clue to the person, and field work confirms the holder at the door, not from the padrón.
Masking happens in SQL (the value never leaves the database), see ``maps.queries``.
"""

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest

from gis_backend.access.models import PersonalDataAccess
from gis_backend.access.roles import ROLES_WITH_PERSONAL_DATA, Role

User = AbstractBaseUser | AnonymousUser


def user_roles(user: User) -> set[Role]:
    """The user's roles; a superuser holds the admin role whatever its groups."""
    if not user.is_authenticated:
        return set()
    cached: set[Role] | None = getattr(user, "_padron_roles", None)
    if cached is not None:  # asked several times per request: one query
        return cached
    groups: Any = getattr(user, "groups")  # noqa: B009  (AbstractBaseUser declares no groups)
    names = set(groups.values_list("name", flat=True))
    roles = {role for role in Role if role.value in names}
    if getattr(user, "is_superuser", False):
        roles.add(Role.ADMIN)
    user._padron_roles = roles  # type: ignore[union-attr,attr-defined]
    return roles


def may_see_personal_data(user: User) -> bool:
    return bool(user_roles(user) & ROLES_WITH_PERSONAL_DATA)


def log_personal_data_access(request: HttpRequest, account_ids: Sequence[int]) -> None:
    """Record that this request's response carries the holder data of these accounts."""
    if not account_ids:
        return
    user = request.user
    PersonalDataAccess.objects.create(
        user=user if user.is_authenticated else None,
        username=user.get_username(),
        endpoint=request.get_full_path()[:300],
        account_ids=list(account_ids),
        account_count=len(account_ids),
    )
