"""The parcels' index on their cadastral keys' last three groups (0006) is no longer read: the
linker stages every parcel's key groups with the inputs it keeps between runs
(``linking/inputs.py``) and joins on them. Every parcel import kept it up to date (a million
calls of the two functions on a first load of a million parcels) for nothing."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_cadastral_key_groups")]

    operations = [
        migrations.RunSQL(
            sql="DROP INDEX IF EXISTS registry_parcel_key_tail",
            reverse_sql="CREATE INDEX registry_parcel_key_tail ON registry_parcel "
            "(registry_key_tail(registry_key_groups(cadastral_key)))",
        )
    ]
