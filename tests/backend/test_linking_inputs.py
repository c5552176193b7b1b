"""The linker's inputs kept between runs (``linking/inputs.py``): parsed once, prepared again
exactly when what they were read from changes, so that a run after an edit links as a run from
nothing would."""

import pytest
from django.db import connection

from gis_backend.linking import inputs
from gis_backend.linking.linker import link_registry
from gis_backend.registry.models import Account, Colonia, Parcel, StreetSegment
from tests.backend.test_linking import linked_parcels, links, town  # noqa: F401 - fixture

# Every test runs on the small town of test_linking, imported through the importers.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("town")]


def kept_accounts() -> dict[str, int]:
    """The transaction id that wrote each account's kept address, by account number."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.number, k.xmin::text::bigint FROM linking_inputs.lk_account k "
            "JOIN registry_account a ON a.id = k.account_id"
        )
        return dict(cursor.fetchall())


def parcels_ready() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT parcels_ready FROM linking_inputs.state")
        return bool(cursor.fetchone()[0])


def relinked_from_nothing() -> dict[str, str | None]:
    """The links a run gives with no kept input (as after a migrate)."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE linking_inputs.state SET fingerprint = NULL")
    link_registry()
    return linked_parcels()


def test_the_padron_import_parses_the_addresses_a_run_then_reuses() -> None:
    numbers = set(Account.objects.values_list("number", flat=True))
    after_import = kept_accounts()
    assert set(after_import) == numbers
    link_registry()
    assert kept_accounts() == after_import  # not one account parsed again
    assert parcels_ready()


def test_an_account_whose_address_changed_is_parsed_again_and_relinked() -> None:
    link_registry()
    assert linked_parcels()["8"] == "B-5"  # 'HIDALGO 11', Fracc. Las Fuentes
    before = kept_accounts()
    # As a survey applied to the registry would: the account is in Zona Centro.
    Account.objects.filter(number="8").update(billing_colonia="Centro")
    link_registry()
    after = kept_accounts()
    assert after["8"] != before["8"]
    assert {n: x for n, x in after.items() if n != "8"} == {
        n: x for n, x in before.items() if n != "8"
    }
    assert linked_parcels()["8"] == "A-5"
    assert linked_parcels() == relinked_from_nothing()


def test_an_account_gone_leaves_the_kept_inputs() -> None:
    link_registry()
    before = kept_accounts()
    Account.objects.filter(number="8").delete()
    Account.objects.filter(number="4").update(billing_ext_number="9")  # in the same run
    link_registry()
    after = kept_accounts()
    assert "8" not in after and after["4"] != before["4"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM linking_inputs.lk_account")
        assert cursor.fetchone()[0] == Account.objects.count()


def test_a_renumbered_parcel_is_followed() -> None:
    link_registry()
    assert parcels_ready()
    Parcel.objects.filter(cadastral_key="B-5").update(number="13")
    assert not parcels_ready()
    Parcel.objects.filter(cadastral_key="B-6").update(number="11")
    link_registry()
    assert parcels_ready()
    assert linked_parcels()["8"] == "B-6"
    assert links()["8"].parcel_method == "direccion"
    assert linked_parcels() == relinked_from_nothing()


def test_the_segments_and_colonias_the_parcels_read_mark_them_out_of_date() -> None:
    """A change to what the parcel-side inputs read (the parcels' address and shape, the street
    segments' name, shape and colonia, the colonias' names) marks them out of date; other
    columns do not."""
    link_registry()
    Parcel.objects.update(dwellings=2)
    StreetSegment.objects.update(street_type="Avenida")
    Colonia.objects.update(postal_code="38300")
    assert parcels_ready()
    changes = [
        lambda: StreetSegment.objects.filter(name="Hidalgo").update(name_normalized="JUAREZ"),
        lambda: Colonia.objects.filter(name="Zona Centro").update(name="Centro Histórico"),
        lambda: Parcel.objects.filter(cadastral_key="A-0").update(street="Juárez"),
        lambda: Parcel.objects.filter(cadastral_key="A-0").delete(),
    ]
    for change in changes:
        link_registry()
        assert parcels_ready()
        change()
        assert not parcels_ready()


def test_a_segment_renamed_moves_the_frontage() -> None:
    link_registry()
    segment = links()["8"].segment
    assert segment is not None and segment.name == "Hidalgo"
    # The street layer's 'Hidalgo' of Las Fuentes is renamed: account 8's street ('HIDALGO')
    # is no longer the segment's, so its parcel's frontage is the nearest segment, of lower score.
    StreetSegment.objects.filter(name="Hidalgo").update(name="Juárez", name_normalized="JUAREZ")
    link_registry()
    renamed = links()["8"]
    assert renamed.segment is not None and renamed.segment.name == "Juárez"
    assert renamed.segment_score == 0.55


def test_another_version_of_the_linking_code_prepares_everything_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    link_registry()
    first, before = linked_parcels(), kept_accounts()
    monkeypatch.setattr(inputs, "fingerprint", lambda: "another version")
    link_registry()
    after = kept_accounts()
    assert set(after) == set(before)
    assert all(after[n] != before[n] for n in before)
    assert linked_parcels() == first


def test_a_dry_run_keeps_the_inputs_as_they_were() -> None:
    before = kept_accounts()
    Account.objects.filter(number="8").update(billing_colonia="Centro")
    link_registry(dry_run=True)
    assert kept_accounts() == before
