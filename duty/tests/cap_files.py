"""CAP 1.2 alerts written by the tests, with the parts each test varies."""

from __future__ import annotations

from pathlib import Path


def cap_alert(
    *,
    identifier: str = "JMA-2026-0001",
    sender: str = "alerts@jma.example.jp",
    sent: str = "2026-12-01T09:30:00+09:00",
    event: str = "Earthquake",
    category: str = "Geo",
    severity: str = "Severe",
    headline: str = "Strong earthquake near Kathmandu",
    onset: str = "2026-12-01T09:12:00+09:00",
    area_desc: str = "Central Nepal",
    geocodes: tuple[str, ...] = ("NP",),
    circle: str | None = "27.70000,85.32000 50",
    polygon: str | None = None,
) -> bytes:
    codes = "".join(f"<geocode><valueName>ISO3166-1</valueName><value>{code}</value></geocode>" for code in geocodes)
    shapes = (f"<circle>{circle}</circle>" if circle else "") + (f"<polygon>{polygon}</polygon>" if polygon else "")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier>
  <sender>{sender}</sender>
  <sent>{sent}</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>en-US</language>
    <category>{category}</category>
    <event>{event}</event>
    <urgency>Immediate</urgency>
    <severity>{severity}</severity>
    <certainty>Observed</certainty>
    <onset>{onset}</onset>
    <headline>{headline}</headline>
    <description>Magnitude 7.1 at a depth of 15 km.</description>
    <area><areaDesc>{area_desc}</areaDesc>{shapes}{codes}</area>
  </info>
</alert>""".encode()


def write_alert(directory: Path, name: str = "alert.xml", **parts) -> Path:
    path = directory / name
    path.write_bytes(cap_alert(**parts))
    return path
