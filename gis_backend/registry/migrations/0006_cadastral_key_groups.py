"""Cadastral keys compared as groups: the catastro and the billing system of a town often write
the same key differently ('11-011-001-002-000', '001-02-0002', '1-1-2'). The linker compares a
key by its groups of letters and digits, each number without leading zeros and without trailing
zero groups (a condominium unit '000' that one system leaves out); a key that lacks the leading
groups of the other (state, municipality) matches by its last three groups and then by all of
its own. Functions here, not in the app's SQL files, because an index depends on them (those
files are dropped and created again after every migrate). Neither calls the other: the index
composes them (a function body names other functions by the search path, which pg_restore
empties when it builds the index)."""

from django.db import migrations

forward = [
    r"""
    CREATE FUNCTION registry_key_groups(key text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$
        SELECT nullif(regexp_replace(regexp_replace(
                   trim(both '-' from regexp_replace(upper(key), '[^0-9A-Z]+', '-', 'g')),
                   '(^|-)0+([0-9])', '\1\2', 'g'),
               '(-0)+$', ''), '')
    $$
    """,
    r"""
    CREATE FUNCTION registry_key_tail(groups text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$
        SELECT substring(groups from '[^-]+-[^-]+-[^-]+$')
    $$
    """,
    "CREATE INDEX registry_parcel_key_tail ON registry_parcel "
    "(registry_key_tail(registry_key_groups(cadastral_key)))",
]
backward = [
    "DROP INDEX registry_parcel_key_tail",
    "DROP FUNCTION registry_key_tail(text)",
    "DROP FUNCTION registry_key_groups(text)",
]


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_history_db_role")]

    operations = [migrations.RunSQL(sql=forward, reverse_sql=backward)]
