"""The examples in docs/api.md run as written against a live server."""

import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import token_client

from .factories import OrganizationFactory, RegionFactory

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "api.md"
EXAMPLES = re.findall(r"```sh example\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)

# Slow (about a second each): every example runs in bash with curl against a live server.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def partner_environment(live_server, coordinator_user):
    RegionFactory(code="asean-guide", countries=["ID", "VN"])
    OrganizationFactory(code="polri-guide", name="Indonesian National Police (guide)", country="ID")
    key = token_client(coordinator_user)._credentials["HTTP_AUTHORIZATION"].split()[1]
    return {**os.environ, "BASE": live_server.url, "TOKEN": key}


def test_the_guide_has_examples():
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.splitlines()[0][:60] for e in EXAMPLES])
def test_each_example_runs(example, partner_environment):
    for command in example.strip().splitlines():
        result = subprocess.run(
            ["bash", "-c", command], env=partner_environment, capture_output=True, text=True, timeout=30
        )
        assert result.returncode == 0, f"{command}\n{result.stderr}"
        assert result.stdout.strip(), command
        assert '"status": 500' not in result.stdout
