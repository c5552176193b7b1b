from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "gis_backend.core"
    label = "core"
    verbose_name = "Padrón SIG"

    def ready(self) -> None:
        from gis_backend.core import checks  # noqa: F401  (registers system checks)
        from gis_backend.core.sqlfiles import apply_sql_files_after_migrate

        post_migrate.connect(apply_sql_files_after_migrate, dispatch_uid="padron_sql_files")
