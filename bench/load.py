"""Many API clients at once against gunicorn on loopback (benchmark case 6).

    python -m cooperation.devstack exec -- python bench/load.py --clients 50 --seconds 60

Partner coordinators page through their deployments, enrollments and courses with
filters and open single records; managers fetch the annual summary; staff record
indicator measurements. Every client holds its own API token. The run prints the
throughput, p50/p99 latency and the answers by status, and exits non-zero on any
answer that is not a success.

Against the same server, the same clients then call `/livez` (no database, no Redis)
for a short while: that throughput is what the server, the network stack and the
clients manage at all on this machine, and the mixed workload's throughput is reported
as a share of it (target: at least a tenth, with no error).

The parts (`prepare`, `gunicorn`, `run_load`) are importable so the reliability tests
drive the same load against a small dataset.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# The default limit (API_THROTTLE_RATE, 5,000 requests an hour per token) is sized for
# one partner's nightly sync. Each client here stands for a whole partner's traffic
# compressed into a minute and would hit it; the throttle still counts every request in
# Redis, so its cost stays in the figures, but it must not be what the run measures.
LOAD_THROTTLE_RATE = "1000000/hour"

# Two cores: one process per core, a few threads each to overlap database waits.
GUNICORN_WORKERS = 2
GUNICORN_THREADS = 4

CONNECTION_ERROR = 0  # the status recorded when no HTTP answer came back at all

# The baseline: an endpoint that touches neither the database nor Redis.
BASELINE_PATH = "/livez"
BASELINE_SECONDS = 10.0
# The mixed workload's throughput as a share of the baseline's, at least.
TARGET_SHARE = 0.10


@dataclass(frozen=True)
class Call:
    label: str
    method: str
    path: str
    body: dict | None = None


Action = Callable[[random.Random], Call]


@dataclass
class Client:
    name: str
    token: str
    actions: list[Action]


@dataclass
class Plan:
    clients: list[Client]
    tokens: list = field(default_factory=list)  # ApiToken rows, revoked after the run

    def client(self, index: int) -> Client:
        return self.clients[index % len(self.clients)]


@dataclass
class Result:
    seconds: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    by_label: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    latencies_by_label: dict[str, list[float]] = field(default_factory=dict)
    created: list[tuple[str, int]] = field(default_factory=list)  # (label, id) of each 201
    failures: list[str] = field(default_factory=list)  # a few bodies of failed answers
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    @property
    def errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if not 200 <= status < 300)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float, label: str | None = None) -> float:
        ordered = sorted(self.latencies if label is None else self.latencies_by_label.get(label, []))
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    def record(self, call: Call, status: int, latency: float, body: bytes) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.by_label[call.label] += 1
            self.latencies.append(latency)
            self.latencies_by_label.setdefault(call.label, []).append(latency)
            if status == 201:
                self.created.append((call.label, json.loads(body)["id"]))
            elif not 200 <= status < 300 and len(self.failures) < 5:
                self.failures.append(f"{status} {call.method} {call.path}: {body[:300]!r}")

    def summary(self) -> str:
        statuses = ", ".join(f"{status or 'no answer'}: {count}" for status, count in sorted(self.statuses.items()))
        mix = "\n           ".join(
            f"{label:<20} {count:>6}  p50 {self.percentile(0.5, label) * 1000:7.1f} ms"
            for label, count in sorted(self.by_label.items())
        )
        lines = [
            f"requests   {self.requests} in {self.seconds:.1f} s = {self.throughput:.1f} req/s",
            f"latency    p50 {self.percentile(0.50) * 1000:.1f} ms, p99 {self.percentile(0.99) * 1000:.1f} ms",
            f"answers    {statuses}",
            f"errors     {self.errors}",
            f"writes     {len(self.created)} accepted (201)",
            f"mix        {mix}",
            *(f"failure    {failure}" for failure in self.failures),
        ]
        return "\n".join(lines)


# --- the plan: who calls what (needs Django set up) ----------------------------------------


def _partner_organizations(limit: int) -> list:
    """The partners with the most records, so their list pages are full."""
    from django.db.models import Count

    from cooperation.models import Organization
    from dispatch.models import Deployment
    from trainees.models import Enrollment

    counts: Counter = Counter()
    for row in Enrollment.objects.values("nominated_by").annotate(n=Count("pk")).order_by("-n")[:limit]:
        counts[row["nominated_by"]] += row["n"]
    for row in (
        Deployment.objects.exclude(host_organization=None)
        .values("host_organization")
        .annotate(n=Count("pk"))
        .order_by("-n")[:limit]
    ):
        counts[row["host_organization"]] += row["n"]
    ids = [pk for pk, _ in counts.most_common(limit) if pk is not None]
    return list(Organization.objects.filter(pk__in=ids).order_by("code"))


def _busiest_year() -> int:
    from django.db.models import Count
    from django.db.models.functions import ExtractYear

    from trainees.models import Course

    row = (
        Course.objects.annotate(y=ExtractYear("start_date")).values("y").annotate(n=Count("pk")).order_by("-n").first()
    )
    return row["y"] if row else date.today().year


def _list(label: str, path: str, *queries: str) -> Action:
    return lambda rng: Call(label, "GET", f"{path}?{rng.choice(queries)}")


def _detail(label: str, path: str, ids: list[int]) -> Action | None:
    if not ids:
        return None
    return lambda rng: Call(label, "GET", f"{path}{rng.choice(ids)}/")


def _coordinator_actions(user, year: int) -> list[Action]:
    from dispatch.models import Deployment
    from trainees.models import Course, Enrollment

    def visible(model) -> list[int]:
        return list(model.objects.restrict(user, "view").order_by("-pk").values_list("pk", flat=True)[:500])

    actions = [
        _list(
            "deployments list",
            "/api/v1/deployments/",
            "page_size=100",
            f"page_size=100&year={year}",
            "page_size=100&status=deployed&status=returned",
            "page_size=50&ordering=-updated_at",
        ),
        _list(
            "enrollments list",
            "/api/v1/enrollments/",
            "page_size=100",
            f"page_size=100&year={year}",
            "page_size=100&status=completed",
            "page_size=100&status=accepted&status=waitlisted",
        ),
        _list(
            "courses list",
            "/api/v1/courses/",
            "page_size=50",
            f"page_size=50&year={year}",
            "page_size=50&status=open",
        ),
        _detail("deployment detail", "/api/v1/deployments/", visible(Deployment)),
        _detail("enrollment detail", "/api/v1/enrollments/", visible(Enrollment)),
        _detail("course detail", "/api/v1/courses/", visible(Course)),
    ]
    return [action for action in actions if action is not None]


def measurement_writes(indicator_id: int, after: date) -> Action:
    """New values on one indicator, each for a period no other write uses."""
    offsets = itertools.count(1)  # shared by every writer; next() is atomic under the GIL

    def write(rng: random.Random) -> Call:
        body = {
            "indicator": indicator_id,
            "period_end": (after + timedelta(days=next(offsets))).isoformat(),
            "value": f"{rng.uniform(0, 100):.2f}",
            "source": "Load test",
        }
        return Call("measurement write", "POST", "/api/v1/measurements/", body)

    return write


def _measurement_writes(indicator) -> Action:
    from programs.models import Measurement

    last = Measurement.objects.filter(indicator=indicator).order_by("-period_end").first()
    return measurement_writes(indicator.pk, max(indicator.baseline_date, last.period_end if last else date.min))


def writable_indicator():
    from programs.models import Indicator, Project

    indicator = Indicator.objects.order_by("pk").first()
    if indicator is not None:
        return indicator
    project = Project.objects.order_by("pk").first()
    if project is None:
        return None
    today = date.today()
    return Indicator.objects.create(
        project=project,
        name="Load test indicator",
        baseline_value=0,
        baseline_date=today,
        target_value=100,
        target_date=today + timedelta(days=365),
        internal=True,
    )


def issue_token(user, name: str) -> tuple[object, str]:
    from django.utils import timezone

    from cooperation.services import api_token_issue

    # Token names are unique per user, revoked ones included: name each run's tokens apart.
    return api_token_issue(user=user, name=f"{name} ({timezone.now():%Y-%m-%d %H:%M:%S.%f})")


def prepare(clients: int, *, partners: int = 10) -> Plan:
    """Accounts and tokens for the run: four in five clients are partners, the rest split
    between managers reading the annual summary and staff writing measurements."""
    from bench.harness import bench_user
    from cooperation.models import Organization

    year = _busiest_year()
    npa = Organization.objects.filter(kind="npa").order_by("pk").first()
    coordinators = [
        bench_user(f"load-coordinator-{organization.code}", "partner_coordinator", organization)
        for organization in _partner_organizations(partners)
    ]
    manager = bench_user("load-manager", "manager", npa)
    staff = bench_user("load-staff", "npa_staff", npa)
    indicator = writable_indicator()
    summary: Action = lambda rng: Call(  # noqa: E731
        "annual summary", "GET", f"/api/v1/reports/annual-summary/?fiscal_year={rng.choice([year - 1, year])}"
    )
    # One writer action for all staff clients, so no two writes pick the same period.
    writes = _measurement_writes(indicator) if indicator is not None else None
    partner_actions = {user.pk: _coordinator_actions(user, year) for user in coordinators}
    partner_actions = {pk: actions for pk, actions in partner_actions.items() if actions}
    coordinators = [user for user in coordinators if user.pk in partner_actions]

    plan = Plan(clients=[])
    for index in range(clients):
        kind = index % 10
        if kind < 8 and coordinators:
            user = coordinators[index % len(coordinators)]
            actions = partner_actions[user.pk]
        elif kind == 8 or indicator is None:
            user, actions = manager, [summary]
        else:
            user, actions = staff, [writes]
        token, key = issue_token(user, f"load test client {index + 1}")
        plan.tokens.append(token)
        plan.clients.append(Client(f"{user.username}#{index + 1}", key, actions))
    return plan


def revoke(plan: Plan) -> None:
    from cooperation.services import api_token_revoke

    for token in plan.tokens:
        api_token_revoke(token=token)


# --- the server --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        connection.request("GET", "/api/v1/")
        connection.getresponse().read()
        connection.close()
        return True
    except OSError:
        return False


@contextlib.contextmanager
def serving(
    command: Callable[[int], list[str]], environment: dict[str, str] | None = None, *, quiet: bool = False
) -> Iterator[str]:
    """The server `command(port)` starts, on a free loopback port; yields its address.

    It inherits this process's environment (DATABASE_URL, REDIS_URL of the devstack),
    with `environment` on top; `quiet` drops what it prints (an access log, say).
    """
    port = free_port()
    env = {**os.environ, "API_THROTTLE_RATE": LOAD_THROTTLE_RATE, **(environment or {})}
    output = subprocess.DEVNULL if quiet else None
    process = subprocess.Popen(command(port), cwd=BASE_DIR, env=env, stdout=output)
    try:
        deadline = time.monotonic() + 60
        while not _answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start: {command(port)}")
            time.sleep(0.2)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def gunicorn(environment: dict[str, str] | None = None, *, workers: int = GUNICORN_WORKERS):
    """gunicorn serving the project on a free loopback port; yields its base URL."""

    # Imported here: as a script, this file puts the project on the path only in main().
    from cooperation.devstack import web_command

    def command(port: int) -> list[str]:
        return web_command(port, reload=False, workers=workers, threads=GUNICORN_THREADS, timeout=60, quiet=True)

    return serving(command, environment)


# --- the load ----------------------------------------------------------------------------


class _Session:
    """One client's keep-alive connection, reopened when the server closed it."""

    def __init__(self, address: str, token: str):
        self.host, port = address.split(":")
        self.port = int(port)
        self.headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        self.connection: http.client.HTTPConnection | None = None

    def send(self, call: Call) -> tuple[int, bytes, float]:
        """The status, the body and how long the server asked us to wait (Retry-After)."""
        body = json.dumps(call.body).encode() if call.body is not None else None
        headers = {**self.headers, **({"Content-Type": "application/json"} if body else {})}
        for attempt in (1, 2):
            reused = self.connection is not None
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                self.connection.request(call.method, call.path, body=body, headers=headers)
                response = self.connection.getresponse()
                retry_after = response.getheader("Retry-After", "")
                return response.status, response.read(), float(retry_after) if retry_after.isdigit() else 0.0
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # An idle keep-alive connection the server had closed: nothing was processed.
                self.close()
                if not reused or attempt == 2:
                    return CONNECTION_ERROR, b"connection closed by the server", 0.0
            except OSError as exc:
                self.close()
                return CONNECTION_ERROR, str(exc).encode(), 0.0
        return CONNECTION_ERROR, b"", 0.0

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def run_load(
    address: str,
    plan: Plan,
    *,
    clients: int,
    seconds: float,
    stop: threading.Event | None = None,
    result: Result | None = None,
    seed: int = 11,
) -> Result:
    """`clients` threads, each calling as fast as answers come, for `seconds` (or until `stop`).

    Pass `result` to watch the answers while the load runs.
    """
    result = result if result is not None else Result()
    stop = stop or threading.Event()
    start = time.perf_counter()
    deadline = start + seconds

    def client_loop(index: int) -> None:
        client = plan.client(index)
        rng = random.Random(seed * 1000 + index)
        session = _Session(address, client.token)
        try:
            while time.perf_counter() < deadline and not stop.is_set():
                call = rng.choice(client.actions)(rng)
                began = time.perf_counter()
                status, body, retry_after = session.send(call)
                result.record(call, status, time.perf_counter() - began, body)
                if retry_after:
                    # As a well-behaved client does: wait as asked (503 or 429), not hammer.
                    stop.wait(min(retry_after, max(0.0, deadline - time.perf_counter())))
        finally:
            session.close()

    threads = [threading.Thread(target=client_loop, args=(index,), daemon=True) for index in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - start
    return result


def baseline_plan(plan: Plan) -> Plan:
    """The same clients, each calling only the endpoint that needs no database."""
    liveness: Action = lambda rng: Call("liveness", "GET", BASELINE_PATH)  # noqa: E731
    return Plan(clients=[Client(client.name, client.token, [liveness]) for client in plan.clients])


@dataclass
class Outcome:
    """The mixed workload and the baseline, measured against one server in one run."""

    mixed: Result
    baseline: Result

    @property
    def share(self) -> float:
        return self.mixed.throughput / self.baseline.throughput if self.baseline.throughput else 0.0

    @property
    def errors(self) -> int:
        return self.mixed.errors + self.baseline.errors

    @property
    def met(self) -> bool:
        return not self.errors and self.mixed.requests > 0 and self.share >= TARGET_SHARE

    def row(self, clients: int):
        """The line of the benchmark table: latencies of the mixed workload against the
        baseline's, and the throughput share as the ratio."""
        from bench.harness import Row, Timing

        return Row(
            "6",
            f"load test, {clients} clients, mixed workload",
            Timing(tuple(self.mixed.latencies) or (0.0,)),
            Timing(tuple(self.baseline.latencies) or (0.0,)),
            f">= {TARGET_SHARE:.2f}x {BASELINE_PATH} req/s, 0 errors",
            self.met,
            extra={
                "req/s": f"{self.mixed.throughput:,.1f}",
                f"{BASELINE_PATH} req/s": f"{self.baseline.throughput:,.1f}",
                "errors": str(self.errors),
            },
            measured_ratio=self.share,
        )


def measure(argv: list[str] | None = None) -> tuple[Outcome, int]:
    """Parse the arguments, run the baseline and the mixed workload against one gunicorn,
    print both; the outcome and the client count."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--baseline-seconds", type=float, default=BASELINE_SECONDS)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)

    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cooperation.settings")
    import django

    django.setup()
    from django.db import connections

    plan = prepare(args.clients)
    connections.close_all()
    try:
        with gunicorn() as address:
            print(
                f"load: {args.clients} clients against gunicorn on {address} "
                f"({GUNICORN_WORKERS} workers x {GUNICORN_THREADS} threads): {BASELINE_PATH} for "
                f"{args.baseline_seconds:g} s, then the mixed workload for {args.seconds:g} s",
                flush=True,
            )
            baseline = run_load(
                address, baseline_plan(plan), clients=args.clients, seconds=args.baseline_seconds, seed=args.seed
            )
            mixed = run_load(address, plan, clients=args.clients, seconds=args.seconds, seed=args.seed)
    finally:
        revoke(plan)
    print(f"baseline ({BASELINE_PATH})\n{baseline.summary()}", flush=True)
    print(f"mixed workload\n{mixed.summary()}", flush=True)
    return Outcome(mixed=mixed, baseline=baseline), args.clients


def main(argv: list[str] | None = None) -> int:
    outcome, clients = measure(argv)
    from bench.harness import format_table

    print(f"\n{format_table([outcome.row(clients)])}", flush=True)
    return 1 if outcome.errors or not outcome.mixed.requests else 0


if __name__ == "__main__":
    sys.exit(main())
