"""Timing, the bench users, the raw-SQL side and the printed table shared by every case.

Each case measures two paths to one answer: the application's (in-process test client,
a real token or session, the real URL, middleware and serializer) and the database's
own (hand-written SQL through the psycopg connection, plus `orjson` where the answer is
JSON). Both answers are returned so a caller can check they agree: a raw path that did
less work than the application would flatter nothing but the ratio.
"""

from __future__ import annotations

import math
import statistics
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Count
from django.test import Client
from rest_framework.test import APIClient

from cooperation.models import Organization, UserProfile
from cooperation.roles import MANAGER, NPA_STAFF, PARTNER_COORDINATOR
from cooperation.services import api_token_issue, user_create

HOST = "localhost"


@dataclass(frozen=True)
class Timing:
    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def measure(work: Callable[[], Any], *, iterations: int, warmup: int) -> tuple[Timing, Any]:
    """Run `work` `warmup` times untimed, then `iterations` times timed; the last answer too."""
    answer = None
    for _ in range(warmup):
        answer = work()
    samples = []
    for _ in range(max(1, iterations)):
        began = time.perf_counter()
        answer = work()
        samples.append(time.perf_counter() - began)
    return Timing(tuple(samples)), answer


@dataclass
class Row:
    """One line of the table: the application's time, the raw time and what they answered."""

    case: str
    name: str
    app: Timing
    raw: Timing | None
    target: str
    met: bool | None
    app_answer: Any = None
    raw_answer: Any = None
    extra: dict[str, str] = field(default_factory=dict)
    # A ratio that is not one of medians, such as the load test's throughput against a baseline's.
    measured_ratio: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.measured_ratio is not None:
            return self.measured_ratio
        if self.raw is None or self.raw.median == 0:
            return None
        return self.app.median / self.raw.median

    @property
    def agrees(self) -> bool:
        return self.raw is None or self.app_answer == self.raw_answer


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def format_table(rows: Sequence[Row]) -> str:
    header = ("case", "app median ms", "app p95 ms", "raw median ms", "raw p95 ms", "ratio", "target", "met", "notes")
    lines = [header]
    for row in rows:
        notes = ", ".join(f"{key} {value}" for key, value in row.extra.items())
        if not row.agrees:
            notes = f"ANSWERS DIFFER; {notes}"
        lines.append(
            (
                f"{row.case} {row.name}",
                ms(row.app.median),
                ms(row.app.p95),
                ms(row.raw.median) if row.raw else "-",
                ms(row.raw.p95) if row.raw else "-",
                f"{row.ratio:.2f}" if row.ratio is not None else "-",
                row.target,
                {True: "met", False: "MISSED", None: "-"}[row.met],
                notes,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)) for line in lines)


def raw_rows(sql: str, params: Sequence | dict = ()) -> list[tuple]:
    """Rows straight from psycopg on Django's own connection (same transaction, no ORM)."""
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def raw_value(sql: str, params: Sequence | dict = ()) -> Any:
    return raw_rows(sql, params)[0][0]


# --- who asks -------------------------------------------------------------------------------


def busiest_partner() -> Organization:
    """The partner organization taking part in the most programs: the heaviest partner page."""
    partner = (
        Organization.objects.exclude(kind="npa")
        .annotate(programs=Count("partnerships", distinct=True))
        .order_by("-programs", "pk")
        .first()
    )
    if partner is None:
        raise RuntimeError("No organizations: load data first (generate_synthetic).")
    return partner


def bench_user(username: str, role: str, organization: Organization):
    """The account `username` in `role` for `organization`, made on first use; it has no password."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        return user_create(username=username, password=None, role=role, organization=organization)
    user.groups.set([Group.objects.get(name=role)])
    UserProfile.objects.update_or_create(user=user, defaults={"organization": organization})
    return user


@dataclass
class Agents:
    staff: Any
    manager: Any
    coordinator: Any
    partner: Organization

    def api(self, user) -> APIClient:
        """An API client holding a real token of `user`, as a partner's script would."""
        _token, key = api_token_issue(user=user, name=f"benchmark {uuid.uuid4().hex[:12]}")
        client = APIClient(HTTP_HOST=HOST)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    def browser(self, user) -> Client:
        """A logged-in browser session."""
        client = Client(HTTP_HOST=HOST)
        client.force_login(user)
        return client


def agents() -> Agents:
    npa = Organization.objects.filter(kind="npa").order_by("pk").first() or busiest_partner()
    partner = busiest_partner()
    return Agents(
        staff=bench_user("bench-staff", NPA_STAFF, npa),
        manager=bench_user("bench-manager", MANAGER, npa),
        coordinator=bench_user("bench-coordinator", PARTNER_COORDINATOR, partner),
        partner=partner,
    )


@dataclass
class Context:
    iterations: int
    warmup: int
    agents: Agents

    def measure(self, work: Callable[[], Any], *, iterations: int | None = None) -> tuple[Timing, Any]:
        return measure(work, iterations=iterations or self.iterations, warmup=self.warmup)


def context(*, iterations: int, warmup: int) -> Context:
    # DEBUG keeps every query in memory: a benchmark measures the production path.
    settings.DEBUG = False
    return Context(iterations=iterations, warmup=warmup, agents=agents())


def get_json(client, url: str) -> Any:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}: {response.content[:500]!r}")
    return response.json()
