"""Token authentication for the map API in one query.

DRF's ``TokenAuthentication`` reads the token and its user, then ``HasRole`` reads the user's
groups: two database round trips on every tile, and the ORM takes longer to build them than
PostgreSQL to answer. This reads the token's user and the names of the user's groups in one
plain SQL statement and hands the roles to ``access.personal_data.user_roles`` (its per-request
cache), so the permission check asks nothing more. Same answers as ``TokenAuthentication``:
an unknown token and an inactive user are refused with its messages.
"""

from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from gis_backend.access.roles import Role


@cache
def user_query() -> tuple[str, list[str]]:
    """The statement, and the user model's field names in the order it returns them."""
    user_model = get_user_model()
    fields = [field for field in user_model._meta.concrete_fields]
    columns = ", ".join(f'u."{field.column}"' for field in fields)
    group_table = user_model.groups.through._meta.db_table  # type: ignore[attr-defined]
    sql = f"""
        SELECT {columns},
               ARRAY(SELECT g.name FROM "{group_table}" AS ug
                       JOIN auth_group AS g ON g.id = ug.group_id
                      WHERE ug.user_id = u.id)
          FROM authtoken_token AS t
          JOIN "{user_model._meta.db_table}" AS u ON u.id = t.user_id
         WHERE t.key = %s
    """
    return sql, [field.attname for field in fields]


class MapTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        sql, field_names = user_query()
        with connection.cursor() as cursor:
            cursor.execute(sql, [key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user = get_user_model().from_db(connection.alias, field_names, row[:-1])
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        names = set(row[-1])
        roles = {role for role in Role if role.value in names}
        if getattr(user, "is_superuser", False):
            roles.add(Role.ADMIN)
        user._padron_roles = roles  # type: ignore[attr-defined]
        return user, key
