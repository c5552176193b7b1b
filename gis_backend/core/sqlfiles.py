"""Views, functions and triggers live in numbered, idempotent SQL files per app (``sql/``).

``pre_*.sql`` files drop what the ``post_*.sql`` files create; both run, in name order, after
every ``migrate``, so editing a trigger is a diff of one file. ``{{STORAGE_SRID}}`` is replaced
by the configured storage SRID.
"""

import logging
from pathlib import Path
from typing import Any

from django.apps import AppConfig, apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

logger = logging.getLogger(__name__)


def sql_files(app_config: AppConfig) -> list[Path]:
    folder = Path(app_config.path) / "sql"
    if not folder.is_dir():
        return []
    pre = sorted(folder.glob("pre_*.sql"))
    post = sorted(folder.glob("post_*.sql"))
    return pre + post


def render_sql(path: Path) -> str:
    return path.read_text(encoding="utf-8").replace("{{STORAGE_SRID}}", str(settings.STORAGE_SRID))


def apply_sql_files(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Run every app's SQL files in one transaction; return the names of the files applied."""
    applied: list[str] = []
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for app_config in apps.get_app_configs():
            for path in sql_files(app_config):
                cursor.execute(render_sql(path))
                applied.append(f"{app_config.label}/{path.name}")
    logger.info("Applied %d SQL files", len(applied))
    return applied


def apply_sql_files_after_migrate(
    sender: AppConfig, using: str = DEFAULT_DB_ALIAS, **kwargs: Any
) -> None:
    # post_migrate fires once per app that has a models module; apply everything once, after
    # the last of those.
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender.label != with_models[-1].label:
        return
    if kwargs.get("plan") is not None and not kwargs["plan"] and kwargs.get("apps") is None:
        return
    apply_sql_files(using=using)
