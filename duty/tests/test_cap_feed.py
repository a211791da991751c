"""The beat task that polls a CAP feed, against a local server serving files the test writes."""

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from duty.cap import CapError, fetch
from duty.models import Incident
from duty.tasks import poll_cap_feed

from .cap_files import write_alert

pytestmark = pytest.mark.django_db


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def feed_server(tmp_path):
    """An HTTP server on the loopback serving `tmp_path`; its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_polling_an_atom_feed_opens_each_new_alert_once(tmp_path, feed_server, settings):
    write_alert(tmp_path, "quake.xml", identifier="USGS-1", geocodes=("NP",))
    write_alert(tmp_path, "storm.xml", identifier="PAGASA-9", event="Typhoon", geocodes=("PH",), circle=None)
    (tmp_path / "broken.xml").write_text("<alert")
    (tmp_path / "feed.atom").write_text(
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>Alerts</title>'
        + "".join(
            f'<entry><id>{name}</id><link href="/{name}"/></entry>' for name in ("quake.xml", "storm.xml", "broken.xml")
        )
        + "</feed>"
    )
    settings.CAP_FEED_URL = f"{feed_server}/feed.atom"
    assert poll_cap_feed() == 2
    assert poll_cap_feed() == 0
    assert sorted(Incident.objects.values_list("cap_identifier", "kind")) == [
        ("PAGASA-9", "storm"),
        ("USGS-1", "earthquake"),
    ]


def test_a_feed_of_one_alert_and_a_feed_turned_off(tmp_path, feed_server, settings):
    write_alert(tmp_path, "alert.xml")
    settings.CAP_FEED_URL = ""
    assert poll_cap_feed() == 0
    settings.CAP_FEED_URL = f"{feed_server}/alert.xml"
    assert poll_cap_feed() == 1
    assert Incident.objects.get().cap_identifier == "JMA-2026-0001"


def test_fetch_refuses_other_schemes_missing_documents_and_oversized_ones(tmp_path, feed_server, settings):
    (tmp_path / "big.xml").write_bytes(b"x" * 2000)
    settings.CAP_MAX_BYTES = 1000
    with pytest.raises(CapError, match="http or https"):
        fetch(f"file://{tmp_path}/big.xml")
    with pytest.raises(CapError, match="could not be read"):
        fetch(f"{feed_server}/missing.xml")
    with pytest.raises(CapError, match="larger than 1000"):
        fetch(f"{feed_server}/big.xml")
    settings.CAP_FEED_URL = f"{feed_server}/missing.xml"
    assert poll_cap_feed() == 0
