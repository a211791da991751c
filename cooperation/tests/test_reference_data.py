import json

import pytest
from django.core.management import call_command

from cooperation.models import CooperationField, Organization, Region
from cooperation.services import REFERENCE_DATA_FILE, reference_data_load

pytestmark = pytest.mark.django_db


def history_rows() -> int:
    return sum(model.history.count() for model in (Region, Organization, CooperationField))


def test_loads_every_row_of_the_file():
    data = json.loads(REFERENCE_DATA_FILE.read_text(encoding="utf-8"))
    report = reference_data_load()
    assert report.created == {
        "regions": len(data["regions"]),
        "fields": len(data["fields"]),
        "organizations": len(data["organizations"]),
    }
    assert Region.objects.count() == len(data["regions"])
    assert Organization.objects.count() == len(data["organizations"])
    assert CooperationField.objects.count() == len(data["fields"])


def test_second_load_changes_nothing():
    reference_data_load()
    before = history_rows()
    snapshot = list(Organization.objects.order_by("code").values())
    report = reference_data_load()
    assert not report.changed_anything
    assert history_rows() == before
    assert list(Organization.objects.order_by("code").values()) == snapshot


def test_load_repairs_an_edited_row_and_reports_it(capsys):
    reference_data_load()
    Region.objects.filter(code="asean").update(name="Edited")
    call_command("load_reference_data")
    assert "updated: 1 regions" in capsys.readouterr().out
    assert Region.objects.get(code="asean").name == "ASEAN"


def test_named_bodies_sectors_and_regions_are_present():
    reference_data_load()
    for code in ("npa", "jica", "unodc"):
        assert Organization.objects.filter(code=code).exists(), code
    dac_codes = set(CooperationField.objects.values_list("dac_code", flat=True))
    assert {"15132", "15210", "16063"} <= dac_codes
    asean = Region.objects.get(code="asean")
    assert {"ID", "PH", "VN"} <= set(asean.countries)
    # Regions overlap: ASEAN lies inside the Indo-Pacific priority region.
    assert set(asean.countries) - {"TL"} <= set(Region.objects.get(code="indo-pacific").countries)
    assert Region.objects.filter(is_unodc_priority=True).count() >= 5
