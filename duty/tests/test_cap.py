"""Reading CAP 1.2 alerts: what is taken from them, and what is refused."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from duty.cap import CapError, distance_km, feed_alert_links, parse_cap
from duty.models import IncidentKind

from .cap_files import cap_alert, write_alert


def test_an_earthquake_alert_with_a_circle_and_a_country(tmp_path):
    alert = parse_cap(write_alert(tmp_path).read_bytes())
    assert (alert.identifier, alert.sender) == ("JMA-2026-0001", "alerts@jma.example.jp")
    assert alert.sent == datetime(2026, 12, 1, 0, 30, tzinfo=UTC)
    assert alert.occurred_at == datetime(2026, 12, 1, 0, 12, tzinfo=UTC)
    assert alert.kind == IncidentKind.EARTHQUAKE
    assert alert.countries == ["NP"]
    assert (alert.latitude, alert.longitude, alert.radius_km) == (Decimal("27.70000"), Decimal("85.32000"), 50)
    assert alert.severity == "Severe"
    assert alert.incident_data()["title"] == "Strong earthquake near Kathmandu"


def test_the_kind_comes_from_the_event_words_then_the_category():
    assert parse_cap(cap_alert(event="Tsunami warning", category="Geo")).kind == IncidentKind.TSUNAMI
    assert parse_cap(cap_alert(event="Typhoon No. 21", category="Met")).kind == IncidentKind.STORM
    assert parse_cap(cap_alert(event="Violent demonstrations", category="Security")).kind == IncidentKind.UNREST
    assert parse_cap(cap_alert(event="Heavy rain", category="Met")).kind == IncidentKind.STORM
    assert parse_cap(cap_alert(event="Outbreak", category="Health")).kind == IncidentKind.OTHER


def test_a_polygon_becomes_its_centroid_and_the_distance_to_its_farthest_vertex():
    square = "27.0,85.0 28.0,85.0 28.0,86.0 27.0,86.0 27.0,85.0"
    alert = parse_cap(cap_alert(circle=None, polygon=square))
    assert (alert.latitude, alert.longitude) == (Decimal("27.50000"), Decimal("85.50000"))
    farthest = max(distance_km((27.5, 85.5), corner) for corner in ((27, 85), (28, 85), (28, 86), (27, 86)))
    assert farthest <= alert.radius_km < Decimal(farthest) + Decimal("0.1")


def test_a_country_alone_is_an_area_and_unknown_geocodes_are_ignored():
    alert = parse_cap(cap_alert(circle=None, geocodes=("TR", "ZZ")))
    assert alert.countries == ["TR"]
    assert alert.latitude is None


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"<alert", "not well-formed"),
        (b"<feed xmlns='http://www.w3.org/2005/Atom'/>", "not a CAP 1.2 alert"),
        (cap_alert(identifier=""), "<identifier>"),
        (cap_alert(sent="yesterday"), "<sent>"),
        (cap_alert(circle="27.7,85.3"), "latitude,longitude radius"),
        (cap_alert(circle="95,85.3 10"), "outside the Earth"),
        (cap_alert(circle="27.7,85.3 0"), "more than 0 km"),
        (cap_alert(circle=None, polygon="27,85 28,85"), "three points"),
        (cap_alert(circle=None, geocodes=()), "names no country"),
        (cap_alert(identifier="x" * 251), "at most 250"),
    ],
)
def test_a_malformed_alert_is_refused_with_the_reason(data, says):
    with pytest.raises(CapError, match=says):
        parse_cap(data)


def test_a_document_type_and_its_entities_are_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read")
    data = cap_alert(headline="&leak;").replace(
        b"<alert ", f'<!DOCTYPE alert [<!ENTITY leak SYSTEM "file://{secret}">]><alert '.encode(), 1
    )
    with pytest.raises(CapError) as refused:
        parse_cap(data)
    assert "do not read" not in str(refused.value)


def test_an_alert_over_the_size_limit_is_refused_unread(settings):
    settings.CAP_MAX_BYTES = 1000
    with pytest.raises(CapError, match="larger than 1000 bytes"):
        parse_cap(cap_alert(area_desc="x" * 1000))


def test_an_atom_feed_lists_its_alert_links_and_an_alert_is_not_a_feed():
    feed = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>Alerts</title>
      <entry><id>1</id><link href="/alerts/1.xml"/></entry>
      <entry><id>2</id><link href="https://other.example/alerts/2.xml"/></entry></feed>"""
    assert feed_alert_links(feed, "http://feed.example/cap/index.atom") == [
        "http://feed.example/alerts/1.xml",
        "https://other.example/alerts/2.xml",
    ]
    assert feed_alert_links(cap_alert(), "http://feed.example/") is None
