"""caseflow's benchmark: key pages against a 50-row floor, at two data scales, on SQLite and PostgreSQL.

    python bench/run.py [--quick] [--databases sqlite,postgresql] [--scales demo,large]
                        [--pg-url postgresql://postgres@127.0.0.1:5432/caseflow_bench] [--write docs/PERFORMANCE.md]

For each database and scale it seeds a database once (`flask seed-demo`, then bench/prepare.py) and
reuses it on later runs (`--reseed` starts again), starts caseflow and the floor app (bench/floor_app.py)
under gunicorn with 2 workers each, drives each page with a few closed-loop clients from
bench/loadgen.py (127.0.0.1 only), then stops the servers and times a program-year funder PDF in a
fresh process. Targets are checked on ratios measured in this one run, never on absolute times.
Two-step login is off for the benchmark accounts (CASEFLOW_REQUIRE_2FA=0): the load generator has no phone.
"""

import argparse
import json
import os
import platform
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadgen import Client, contact_form, run  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "demo-password-1234"  # noqa: S105 - the published demo password
CASEFLOW_PORT, FLOOR_PORT = 8731, 8732
CLIENTS = 4
SCALE_ARGS = {"demo": [], "large": ["--scale", "large"]}
TARGET_RATIO, TARGET_P50_GROWTH, TARGET_PDF_SECONDS, TARGET_PDF_MB = 0.5, 1.5, 3.0, 300


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def database_url(kind: str, scale: str, args) -> str:
    if kind == "sqlite":
        return f"sqlite:///{Path(args.workdir).resolve() / f'{scale}.db'}"
    return f"{args.pg_url}_{scale}"


def ensure_postgres_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base.replace("postgresql+psycopg", "postgresql") + "/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def flask(env: dict, *args: str) -> str:
    done = subprocess.run([str(BIN / "flask"), *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def prepare(kind: str, scale: str, args) -> tuple[dict, dict]:
    """Migrate and seed once (reused later), and return the environment and the ids the pages need."""
    url = database_url(kind, scale, args)
    env = dict(os.environ, FLASK_APP="caseflow", DATABASE_URL=url, CASEFLOW_REQUIRE_2FA="0", CASEFLOW_ENV="development")
    if kind == "postgresql":
        ensure_postgres_database(url)
    Path(args.workdir).mkdir(parents=True, exist_ok=True)
    flask(env, "db", "upgrade")
    started = time.perf_counter()
    seeded = flask(env, "seed-demo", *SCALE_ARGS[scale], "--force" if args.reseed else "--if-empty")
    seed_seconds = time.perf_counter() - started
    fresh = "leaving it as it is" not in seeded
    done = subprocess.run(
        [sys.executable, "bench/prepare.py"], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    info = json.loads(done.stdout.strip().splitlines()[-1])
    info["seed_seconds"] = round(seed_seconds, 1) if fresh else None
    log(
        f"{kind}/{scale}: {info['counts']} (seeded in {info['seed_seconds']} s)" if fresh else f"{kind}/{scale}: reused"
    )
    return env, info


def start_server(argv: list[str], env: dict, port: int) -> subprocess.Popen:
    """Start a server and wait until it answers; refuse a port some other process already serves."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(f"port {port} is already in use: stop whatever listens there first")
    process = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health" if port == CASEFLOW_PORT else  # noqa: S310
                                        f"http://127.0.0.1:{port}/", timeout=5):  # fmt: skip
                if process.poll() is not None:
                    raise SystemExit(f"the server for port {port} exited (code {process.returncode})")
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit(f"server on port {port} did not start")


def stop_server(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def measure(kind: str, scale: str, env: dict, info: dict, args) -> dict:
    """Every page under load, floor first and last (their mean is the denominator), then the PDF."""
    seconds, warmup = (5, 1) if args.quick else (15, 2)
    gunicorn = str(BIN / "gunicorn")
    caseflow_env = dict(env, WEB_CONCURRENCY="2", GUNICORN_THREADS="1", GUNICORN_BIND=f"127.0.0.1:{CASEFLOW_PORT}")
    floor_env = dict(env, FLOOR_DATABASE_URL=env["DATABASE_URL"], FLOOR_CASE_ID=str(info["long_case"]))
    app = start_server([gunicorn, "-c", "gunicorn.conf.py", "wsgi:app"], caseflow_env, CASEFLOW_PORT)
    floor = start_server(
        [gunicorn, "-w", "2", "-b", f"127.0.0.1:{FLOOR_PORT}", "--chdir", "bench", "floor_app:app"],
        floor_env,
        FLOOR_PORT,
    )
    results = {}
    try:
        floor_clients = [Client(FLOOR_PORT) for _ in range(CLIENTS)]
        workers = [Client(CASEFLOW_PORT) for _ in range(CLIENTS)]
        managers = [Client(CASEFLOW_PORT) for _ in range(CLIENTS)]
        for client in workers:
            client.login(f"outreach@{'demo.caseflow.org'}", PASSWORD)
        for client in managers:
            client.login("manager@demo.caseflow.org", PASSWORD)
        for client in workers:
            client.request("GET", "/participants/search")  # a CSRF token for the search and contact forms
        pages = [
            ("floor: trivial page", floor_clients, lambda c: ("GET", "/", None), (200,)),
            ("floor: 50-row table", floor_clients, lambda c: ("GET", "/table", None), (200,)),
            ("caseload list", workers, lambda c: ("GET", "/", None), (200,)),
            ("case page, 500 contacts", workers, lambda c: ("GET", f"/cases/{info['long_case']}", None), (200,)),
            (
                "participant search",
                workers,
                lambda c: ("POST", "/participants/search", {"csrf_token": c.csrf, "q": "Washington"}),
                (200,),
            ),
            (
                "program dashboard",
                managers,
                lambda c: ("GET", f"/programs/{info['outreach_program']}/dashboard", None),
                (200,),
            ),
            (
                "contact-log POST",
                workers,
                lambda c: ("POST", f"/cases/{info['post_case']}/contacts/new", contact_form(c)),
                (302,),
            ),
            ("floor: 50-row table (again)", floor_clients, lambda c: ("GET", "/table", None), (200,)),
        ]
        for name, clients, make, expect in pages:
            result = run(name, clients, make, seconds, warmup, expect)
            results[name] = result
            log(
                f"{kind}/{scale} {name}: {result.rps:.1f} req/s, p50 {result.percentile(50) * 1000:.0f} ms, "
                f"p99 {result.percentile(99) * 1000:.0f} ms, {result.errors} errors of {result.requests} "
                f"(HTTP {dict(result.statuses)})"
            )
    finally:
        stop_server(app)
        stop_server(floor)
        # The POSTs' contacts go again, so the next run's case page is the same 500-contact case.
        posted = [str(info["post_case"]), str(info["max_contact_id"])]
        subprocess.run([sys.executable, "bench/prepare.py", "forget-posts", *posted], env=env, cwd=ROOT, check=True)
    pdfs = {}
    targets = [("Street Outreach", "manager@demo.caseflow.org")]
    if scale == "large":
        targets.append((info["biggest_program"], info["biggest_program_manager"]))
    for program, email in targets:
        done = subprocess.run(
            [sys.executable, "bench/report_timing.py", program, email],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        pdfs[program] = json.loads(done.stdout.strip().splitlines()[-1])
        log(f"{kind}/{scale} PDF {program}: {pdfs[program]}")
    return {"pages": results, "pdfs": pdfs, "info": info}


def versions(args) -> dict:
    import gunicorn

    found = {
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "gunicorn": gunicorn.__version__,
        "machine": f"{os.cpu_count()} cores, "
        f"{round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30)} GiB, {platform.platform()}",
    }
    if "postgresql" in args.databases:
        import psycopg

        with psycopg.connect(args.pg_url.replace("postgresql+psycopg", "postgresql") + "_demo") as conn:
            found["PostgreSQL"] = conn.execute("SHOW server_version").fetchone()[0]
    return found


def table(all_results: dict, args) -> tuple[str, list[str]]:
    """The markdown table of every page and the list of targets missed."""
    lines = [
        "| database | scale | page | req/s | p50 ms | p99 ms | errors | ratio to 50-row floor |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    missed = []
    for (kind, scale), outcome in all_results.items():
        pages = outcome["pages"]
        floor = statistics.mean([pages["floor: 50-row table"].rps, pages["floor: 50-row table (again)"].rps])
        for name, result in pages.items():
            ratio = result.rps / floor if floor else 0
            key = not name.startswith("floor")
            flag = " ✗" if key and ratio < TARGET_RATIO else ""
            lines.append(
                f"| {kind} | {scale} | {name} | {result.rps:.1f} | {result.percentile(50) * 1000:.0f} | "
                f"{result.percentile(99) * 1000:.0f} | {result.errors} | {ratio:.2f}{flag} |"
            )
            if key and ratio < TARGET_RATIO:
                missed.append(f"{kind}/{scale} {name}: {ratio:.2f} of the floor (target {TARGET_RATIO})")
    lines += ["", "| database | page | p50 demo ms | p50 large ms | large ÷ demo |", "|---|---|---:|---:|---:|"]
    for kind in args.databases:
        if (kind, "demo") not in all_results or (kind, "large") not in all_results:
            continue
        for name, demo in all_results[(kind, "demo")]["pages"].items():
            if name.startswith("floor"):
                continue
            large = all_results[(kind, "large")]["pages"][name]
            growth = large.percentile(50) / demo.percentile(50)
            lines.append(
                f"| {kind} | {name} | {demo.percentile(50) * 1000:.0f} | {large.percentile(50) * 1000:.0f} | "
                f"{growth:.2f}{' ✗' if growth > TARGET_P50_GROWTH else ''} |"
            )
            if growth > TARGET_P50_GROWTH:
                missed.append(f"{kind} {name}: p50 large/demo {growth:.2f} (target ≤ {TARGET_P50_GROWTH})")
    lines += [
        "",
        "| database | scale | program (cases in it) | PDF s (warm) | PDF s (fresh process) | peak MB | PDF KB |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for (kind, scale), outcome in all_results.items():
        info = outcome["info"]
        for program, pdf in outcome["pdfs"].items():
            size = info["biggest_program_cases"] if program == info["biggest_program"] else "demo"
            lines.append(
                f"| {kind} | {scale} | {program} ({size}) | {pdf['seconds']} | {pdf['cold_seconds']} | "
                f"{pdf['peak_mb']} | {pdf['pdf_kb']} |"
            )
            if scale == "large" and (pdf["seconds"] >= TARGET_PDF_SECONDS or pdf["peak_mb"] >= TARGET_PDF_MB):
                missed.append(f"{kind}/{scale} PDF for {program}: {pdf['seconds']} s, {pdf['peak_mb']} MB")
    return "\n".join(lines), missed


def write_document(path: Path, body: str) -> None:
    """Replace the generated part of the document, keeping the hand-written analysis around it."""
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    text = path.read_text() if path.exists() else f"# Performance\n\n{start}\n{end}\n"
    if start not in text:
        text += f"\n{start}\n{end}\n"
    before, rest = text.split(start, 1)
    after = rest.split(end, 1)[1]
    path.write_text(f"{before}{start}\n{body}\n{end}{after}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 s per page instead of 15 s")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--scales", default="demo,large")
    parser.add_argument(
        "--pg-url", default=os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/caseflow_bench")
    )
    parser.add_argument("--workdir", default=str(ROOT / "instance" / "bench"))
    parser.add_argument("--reseed", action="store_true", help="erase and seed the benchmark databases again")
    parser.add_argument("--write", default=None, help="write the results into this markdown file")
    args = parser.parse_args()
    args.databases = [d for d in args.databases.split(",") if d]
    args.scales = [s for s in args.scales.split(",") if s]
    began = time.perf_counter()
    all_results = {}
    for kind in args.databases:
        for scale in args.scales:
            env, info = prepare(kind, scale, args)
            all_results[(kind, scale)] = measure(kind, scale, env, info, args)
    body, missed = table(all_results, args)
    found = versions(args)
    seeds = [
        f"- {kind}/{scale}: {o['info']['counts']}; "
        f"the case page's case holds {o['info']['long_case_contacts']} contacts"
        + (f"; seeded in {o['info']['seed_seconds']} s" if o["info"]["seed_seconds"] else "; seeded in an earlier run")
        for (kind, scale), o in all_results.items()
    ]
    header = [
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, `python bench/run.py {' '.join(sys.argv[1:])}`, "
        f"{(time.perf_counter() - began) / 60:.1f} minutes.",
        "",
        *[f"- {name}: {value}" for name, value in found.items()],
        f"- {CLIENTS} closed-loop clients per page, {5 if args.quick else 15} s measured after a "
        f"{1 if args.quick else 2} s warm-up; gunicorn 2 sync workers for caseflow and for the floor",
        "",
        "Data:",
        "",
        *seeds,
        "",
        body,
        "",
        "Targets missed in this run:" if missed else "Every target met in this run.",
        *[f"- {item}" for item in missed],
    ]
    output = "\n".join(header)
    print("\n" + output)
    if args.write:
        write_document(ROOT / args.write, output)
        log(f"wrote {args.write}")


if __name__ == "__main__":
    main()
