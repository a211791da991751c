"""Reading a Common Alerting Protocol (CAP 1.2) alert into what an incident needs.

The XML is parsed without a DTD, entities or network access, and a document that
declares a DTD is refused outright: an alert comes from outside the agency. The first
`<info>` block describes the incident; its areas give the countries (an ISO 3166
`<geocode>`) and the circle: the first `<circle>`, or else the first `<polygon>` taken as
its centroid and the distance to its farthest vertex.
"""

from __future__ import annotations

import math
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation
from urllib.parse import urljoin

from django.conf import settings
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django_countries import countries
from lxml import etree

from .models import IncidentKind

NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
EARTH_RADIUS_KM = 6371.0088

# Words in `<event>` that name the kind of incident, checked in this order.
KIND_WORDS = (
    (IncidentKind.TSUNAMI, ("tsunami",)),
    (IncidentKind.EARTHQUAKE, ("earthquake", "seismic")),
    (IncidentKind.FLOOD, ("flood",)),
    (IncidentKind.STORM, ("storm", "typhoon", "cyclone", "hurricane", "tornado", "wind")),
    (IncidentKind.ATTACK, ("attack", "terror", "explosion", "bomb", "shooting")),
    (IncidentKind.UNREST, ("unrest", "riot", "protest", "demonstration", "civil")),
)
# CAP categories that say the kind when the event's words do not.
KIND_BY_CATEGORY = {"Geo": IncidentKind.EARTHQUAKE, "Met": IncidentKind.STORM, "Security": IncidentKind.UNREST}


class CapError(ValueError):
    """The alert cannot be read; the message says why, for the person who sent it."""


@dataclass(frozen=True)
class CapAlert:
    identifier: str
    sender: str
    sent: datetime
    kind: str
    event: str
    severity: str
    headline: str
    description: str
    occurred_at: datetime
    area_description: str
    countries: list[str] = field(default_factory=list)
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    radius_km: Decimal | None = None

    def incident_data(self) -> dict:
        """The keyword arguments of `incident_open` for this alert."""
        return {
            "kind": self.kind,
            "title": (self.headline or f"{self.event}: {self.area_description}".strip(": "))[:300],
            "countries": self.countries,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "radius_km": self.radius_km,
            "area_description": self.area_description[:500],
            "occurred_at": self.occurred_at,
            "description": self.description,
            "severity": self.severity[:16],
            "source": "cap",
            "cap_identifier": self.identifier,
            "cap_sender": self.sender,
            "cap_sent": self.sent,
        }


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )


def _text(element, path: str) -> str:
    found = element.find(path, {"cap": NAMESPACE})
    return (found.text or "").strip() if found is not None else ""


def _all(element, path: str) -> list:
    return element.findall(path, {"cap": NAMESPACE})


def _required(element, name: str) -> str:
    value = _text(element, f"cap:{name}")
    if not value:
        raise CapError(_("The alert has no <%(name)s>.") % {"name": name})
    return value


def _time(value: str, name: str) -> datetime:
    parsed = parse_datetime(value) if value else None
    if parsed is None or parsed.tzinfo is None:
        raise CapError(
            _("<%(name)s> is not a date and time with its offset: %(value)s") % {"name": name, "value": value}
        )
    return parsed


def _number(text: str, what: str) -> Decimal:
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CapError(_("%(what)s is not a number: %(value)s") % {"what": what, "value": text}) from None
    if not number.is_finite():
        raise CapError(_("%(what)s is not a number: %(value)s") % {"what": what, "value": text})
    return number


def _point(text: str) -> tuple[Decimal, Decimal]:
    parts = text.split(",")
    if len(parts) != 2:
        raise CapError(_("A point is written as latitude,longitude: %(value)s") % {"value": text})
    latitude, longitude = (_number(part.strip(), _("A coordinate")) for part in parts)
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise CapError(_("A point lies outside the Earth's coordinates: %(value)s") % {"value": text})
    return latitude, longitude


def _circle(text: str) -> tuple[Decimal, Decimal, Decimal]:
    parts = text.split()
    if len(parts) != 2:
        raise CapError(_("A circle is written as latitude,longitude radius: %(value)s") % {"value": text})
    latitude, longitude = _point(parts[0])
    radius = _number(parts[1], _("The radius"))
    if radius <= 0:
        raise CapError(_("A circle's radius must be more than 0 km: %(value)s") % {"value": text})
    return latitude, longitude, radius


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The great-circle distance between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _polygon_circle(text: str) -> tuple[Decimal, Decimal, Decimal]:
    """The polygon's vertex centroid and the distance to its farthest vertex, rounded up."""
    vertices = [_point(pair) for pair in text.split()]
    if len(vertices) > 1 and vertices[0] == vertices[-1]:
        vertices = vertices[:-1]
    if len(vertices) < 3:
        raise CapError(_("A polygon needs at least three points: %(value)s") % {"value": text})
    centre = (
        sum(float(lat) for lat, _lon in vertices) / len(vertices),
        sum(float(lon) for _lat, lon in vertices) / len(vertices),
    )
    farthest = max(distance_km(centre, (float(lat), float(lon))) for lat, lon in vertices)
    quantum = Decimal("0.00001")
    return (
        Decimal(centre[0]).quantize(quantum, ROUND_HALF_UP),
        Decimal(centre[1]).quantize(quantum, ROUND_HALF_UP),
        max(Decimal("0.1"), Decimal(farthest).quantize(Decimal("0.1"), ROUND_CEILING)),
    )


def _country(value_name: str, value: str) -> str | None:
    name = value_name.replace(" ", "").replace("-", "").lower()
    code = value.strip().upper()
    if "iso3166" in name and len(code) == 2 and code in countries:
        return code
    return None


def _kind(event: str, categories: list[str]) -> str:
    words = event.lower()
    for kind, markers in KIND_WORDS:
        if any(marker in words for marker in markers):
            return kind
    for category in categories:
        if category in KIND_BY_CATEGORY:
            return KIND_BY_CATEGORY[category]
    return IncidentKind.OTHER


def parse_cap(data: bytes) -> CapAlert:
    """The alert in `data`, or CapError saying what is wrong with it."""
    if len(data) > settings.CAP_MAX_BYTES:
        raise CapError(_("The alert is larger than %(limit)d bytes.") % {"limit": settings.CAP_MAX_BYTES})
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise CapError(_("The file is not well-formed XML: %(error)s") % {"error": exc}) from None
    if root.getroottree().docinfo.doctype:
        raise CapError(_("An alert may not declare a document type."))
    if root.tag != f"{{{NAMESPACE}}}alert":
        raise CapError(_("The file is not a CAP 1.2 alert (its root is not <alert> in the CAP 1.2 namespace)."))
    identifier = _required(root, "identifier")
    sender = _required(root, "sender")
    if len(identifier) > 250 or len(sender) > 250:
        raise CapError(_("The alert's identifier and sender are at most 250 characters each."))
    sent = _time(_required(root, "sent"), "sent")
    info = root.find("cap:info", {"cap": NAMESPACE})
    if info is None:
        raise CapError(_("The alert has no <info> block."))
    event = _required(info, "event")
    categories = [(c.text or "").strip() for c in _all(info, "cap:category")]
    onset = _text(info, "cap:onset") or _text(info, "cap:effective")
    occurred_at = _time(onset, "onset") if onset else sent

    area_names, found_countries = [], []
    circle = polygon = None
    for area in _all(info, "cap:area"):
        if name := _text(area, "cap:areaDesc"):
            area_names.append(name)
        for geocode in _all(area, "cap:geocode"):
            code = _country(_text(geocode, "cap:valueName"), _text(geocode, "cap:value"))
            if code and code not in found_countries:
                found_countries.append(code)
        circle = circle or next((c.text.strip() for c in _all(area, "cap:circle") if c.text), None)
        polygon = polygon or next((p.text.strip() for p in _all(area, "cap:polygon") if p.text), None)
    latitude = longitude = radius = None
    if circle:
        latitude, longitude, radius = _circle(circle)
    elif polygon:
        latitude, longitude, radius = _polygon_circle(polygon)
    if not found_countries and latitude is None:
        raise CapError(_("The alert's area names no country (an ISO 3166 <geocode>) and has no <circle> or <polygon>."))
    return CapAlert(
        identifier=identifier,
        sender=sender,
        sent=sent,
        kind=_kind(event, categories),
        event=event,
        severity=_text(info, "cap:severity"),
        headline=_text(info, "cap:headline"),
        description=_text(info, "cap:description"),
        occurred_at=occurred_at,
        area_description="; ".join(area_names),
        countries=found_countries,
        latitude=latitude,
        longitude=longitude,
        radius_km=radius,
    )


ATOM = "http://www.w3.org/2005/Atom"
# At most this many alerts are read from one poll of a feed.
FEED_ENTRY_LIMIT = 50
FETCH_TIMEOUT_SECONDS = 20


def fetch(url: str) -> bytes:
    """The document at `url` (http or https), refused beyond CAP_MAX_BYTES."""
    if not url.lower().startswith(("http://", "https://")):
        raise CapError(_("A CAP feed is read over http or https: %(url)s") % {"url": url})
    request = urllib.request.Request(url, headers={"Accept": "application/atom+xml, application/cap+xml, text/xml"})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:
            data = response.read(settings.CAP_MAX_BYTES + 1)
    except (OSError, ValueError) as exc:
        raise CapError(_("The CAP feed could not be read: %(error)s") % {"error": exc}) from None
    if len(data) > settings.CAP_MAX_BYTES:
        raise CapError(_("The alert is larger than %(limit)d bytes.") % {"limit": settings.CAP_MAX_BYTES})
    return data


def feed_alert_links(data: bytes, base_url: str) -> list[str] | None:
    """The alert links of an Atom feed (each entry's link), or None when `data` is not a feed."""
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise CapError(_("The file is not well-formed XML: %(error)s") % {"error": exc}) from None
    if root.tag != f"{{{ATOM}}}feed":
        return None
    links = []
    for entry in root.findall("atom:entry", {"atom": ATOM})[:FEED_ENTRY_LIMIT]:
        link = entry.find("atom:link", {"atom": ATOM})
        if link is not None and link.get("href"):
            links.append(urljoin(base_url, link.get("href")))
    return links
