"""Creates one demo user per role. Passwords are printed once, or all set to $DEMO_PASSWORD."""

import os
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from gis_backend.access.roles import Role


class Command(BaseCommand):
    help = _("Crea un usuario de demostración por rol (jefe, analista, supervisor, admin).")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        fixed_password = os.environ.get("DEMO_PASSWORD")
        user_model = get_user_model()
        for role in (Role.HEAD, Role.ANALYST, Role.SUPERVISOR, Role.ADMIN):
            user, created = user_model.objects.get_or_create(username=role.value)
            group, _created = Group.objects.get_or_create(name=role.value)
            user.groups.add(group)
            user.is_staff = role in (Role.ADMIN, Role.HEAD)
            user.is_superuser = role == Role.ADMIN
            if fixed_password:
                user.set_password(fixed_password)
                user.save()
                continue
            user.save()
            if created:
                password = secrets.token_urlsafe(9)
                user.set_password(password)
                user.save()
                self.stdout.write(
                    _("Usuario %(user)s  contraseña %(password)s")
                    % {"user": role.value, "password": password}
                )
            else:
                self.stdout.write(
                    _("Usuario %(user)s ya existía; su contraseña no cambió.")
                    % {"user": role.value}
                )
        if fixed_password:
            self.stdout.write(
                _("Usuarios jefe, analista, supervisor y admin: contraseña de $DEMO_PASSWORD.")
            )
