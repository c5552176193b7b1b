"""Rules Django cannot express as model constraints: valid, non-empty geometry; the
extensions the linker needs (pg_trgm, unaccent)."""

from django.db import migrations

GEOMETRY_COLUMNS = [
    ("registry_parcel", "geom"),
    ("registry_streetsegment", "geom"),
    ("registry_colonia", "geom"),
    ("registry_sector", "geom"),
    ("registry_readingroute", "geom"),
]

forward = ["CREATE EXTENSION IF NOT EXISTS pg_trgm", "CREATE EXTENSION IF NOT EXISTS unaccent"]
backward = []
for table, column in GEOMETRY_COLUMNS:
    name = f"{table.removeprefix('registry_')}_{column}_valid"
    forward.append(
        f"ALTER TABLE {table} ADD CONSTRAINT {name} "
        f"CHECK ({column} IS NULL OR (ST_IsValid({column}) AND NOT ST_IsEmpty({column})))"
    )
    backward.append(f"ALTER TABLE {table} DROP CONSTRAINT {name}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunSQL(sql=forward, reverse_sql=backward)]
