"""Action Plan monitor benchmark: a large enterprise register imported, aggregated and shown.

Run from the repository root::

    .venv/bin/python bench/indicators.py [--enterprises 50000] [--years 5] [--seed 2021]
    .venv/bin/python bench/indicators.py --database-url postgresql+psycopg://user:pw@host/db  # emptied first!

It generates ``--enterprises`` enterprises × ``--years`` years (2019 onwards) as one CSV with valid
unified social credit codes (GB 32100 check characters), random sectors, regions, headcounts and
operating revenue, and imports it through ``enterprises.import_enterprises`` into a fresh database
built by the migrations (SQLite in a temporary folder unless ``--database-url`` is given: that
database's public schema is dropped and rebuilt). It reports the import time (target < 10 s), imports
it a second time (every row an update), then times every aggregate (SME counts by sector, region and
size; the investment shares of the shipped plan after importing some investment figures) and the
GET of the dashboard page ``/indicators/CN-MIIT-CSI-2021-2023`` through the ASGI app with a signed-in
analyst (median of 20, target < 200 ms); when that page is not there (404) it times the plan's
enterprise register page ``/indicators/CN-MIIT-CSI-2021-2023/enterprises`` instead and says so.

It prints the figures; it never fails on timing. Exit status 0 when it ran, 2 when it could not.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

# bench/calendar.py shares its name with the standard library's ``calendar``: keep this folder off the path.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
REPO = _HERE.parent
PLAN = "CN-MIIT-CSI-2021-2023"
PASSWORD = "bench horse battery staple"
REGIONS = ("北京", "上海", "广东", "江苏", "浙江", "四川", "湖北", "陕西", "山东", "天津")
SECTORS = ("icv", "industrial_internet", "iot", "smart_city", "other")
INDUSTRIES = ("software_it_services", "industry", "information_transmission", "wholesale", "other")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Benchmark the enterprise register and the monitor's pages.")
    ap.add_argument("--enterprises", type=int, default=50_000)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--seed", type=int, default=2021)
    ap.add_argument("--requests", type=int, default=20, help="GETs of the page for the median (default 20)")
    ap.add_argument("--database-url", default=None, help="run on this database (its public schema is dropped)")
    return ap.parse_args(argv)


def make_csv(enterprises: int, years: int, seed: int) -> bytes:
    from wangan.indicators.credit_code import check_character

    rng = random.Random(seed)
    out = io.StringIO()
    out.write("credit_code,name,size_industry,sectors,region,year,revenue,security_revenue,headcount,unit\n")
    for i in range(enterprises):
        first = f"91{rng.choice(('110108', '310115', '440305', '320102'))}{i:09d}"
        code = first + check_character(first)
        sectors = ";".join(rng.sample(SECTORS, rng.choice((1, 1, 2))))
        region = rng.choice(REGIONS)
        industry = rng.choice(INDUSTRIES)
        headcount = rng.randint(3, 1500)
        revenue = rng.randint(10, 60_000)
        for y in range(years):
            revenue = max(1, int(revenue * rng.uniform(0.85, 1.3)))
            headcount = max(1, int(headcount * rng.uniform(0.9, 1.2)))
            security = rng.randint(0, revenue)
            out.write(f"{code},企业{i},{industry},{sectors},{region},{2019 + y},{revenue}.5,{security},"
                      f"{headcount},万元\n")
    return out.getvalue().encode()


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    value = fn()
    return time.perf_counter() - t0, value


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.enterprises < 1 or args.years < 1:
        print("bench: --enterprises and --years must be at least 1", file=sys.stderr)
        return 2
    from sqlalchemy import text

    from wangan.config import Settings
    from wangan.db import make_engine
    from wangan.indicators import enterprises, investment
    from wangan.kernel import identity
    from wangan.kernel.audit import Actor
    from wangan.kernel.auth import principal_for
    from wangan.runtime import build_runtime
    from wangan.server import create_app

    tmp = Path(tempfile.mkdtemp(prefix="wangan-bench-indicators-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
    if args.database_url:
        eng = make_engine(url)
        if eng.dialect.name == "postgresql":
            with eng.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        eng.dispose()
    settings = Settings(data_dir=tmp / "data", database_url=url, rules_dir=REPO / "rules", env="test",
                        base_url="http://testserver")
    t_migrate, rt = timed(lambda: build_runtime(settings))
    print(f"database: {rt.engine.dialect.name}, built by migrations in {t_migrate:.2f} s")

    system = Actor.system("bench")
    with rt.sessions.begin() as s:
        org = identity.create_organisation(s, system, slug="bench-org", name="Bench", roles=["provider"],
                                           jurisdiction="domestic", contact_email="psirt@example.org")
        user, _ = identity.create_user(s, system, email="bench@example.org", role="analyst", org_slug=org.slug,
                                       password=PASSWORD)
        principal = principal_for(user)

    t_gen, data = timed(lambda: make_csv(args.enterprises, args.years, args.seed))
    rows = args.enterprises * args.years
    print(f"generated {rows:,} rows ({len(data) / 1048576:.1f} MB CSV) in {t_gen:.2f} s")

    def do_import() -> Any:
        with rt.sessions.begin() as s:
            return enterprises.import_enterprises(s, principal, rt.size_classes, shipped=rt.plans, data=data,
                                                  filename="register.csv")

    t_import, result = timed(do_import)
    print(f"import (fresh):  {t_import:6.2f} s  {rows / t_import:,.0f} rows/s  created {result.created:,}, "
          f"updated {result.updated:,}  (target < 10 s: {'met' if t_import < 10 else 'NOT met'})")
    t_again, again = timed(do_import)
    print(f"import (again):  {t_again:6.2f} s  created {again.created:,}, updated {again.updated:,}")

    inv_rows = ["industry,year,it_investment,security_investment,unit,source"]
    rng = random.Random(args.seed)
    for industry in ("telecom", "finance", "energy", "transport", "water", "e_government"):
        for year in range(2019, 2024):
            it = rng.randint(1000, 5000)
            inv_rows.append(f"{industry},{year},{it},{int(it * rng.uniform(0.02, 0.12))},亿元,bench")
    with rt.sessions.begin() as s:
        investment.import_investments(s, principal, rt.plans, PLAN, ("\n".join(inv_rows) + "\n").encode(), "i.csv")

    with rt.sessions() as s:
        order = [t.id for t in rt.plans[0].sectors]
        for by in ("sector", "region", "size"):
            t, table = timed(lambda by=by: enterprises.sme_counts(s, principal, by=by, sectors_order=order))
            what = "enterprises (all sizes)" if by == "size" else "SMEs"
            print(f"sme_counts by {by:<6}: {t * 1000:7.1f} ms  ({len(table.groups)} groups × {len(table.years)} years;"
                  f" {what} in {table.years[-1]}: {table.total.counts.get(table.years[-1], 0):,})")
        t, shares = timed(lambda: investment.investment_shares(s, principal, rt.plans, PLAN))
        print(f"investment_shares: {t * 1000:7.1f} ms  ({len(shares.industries)} industries)")
        t, (_items, total) = timed(lambda: enterprises.list_enterprises(s, principal, sector="iot", sme_only=True))
        print(f"list_enterprises(sector=iot, sme_only): {t * 1000:7.1f} ms  ({total:,} matches)")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    import re

    app = create_app(rt)
    with TestClient(app, headers={"accept": "text/html", "accept-language": "zh"}, follow_redirects=False) as client:
        login = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', login)
        if token is None:
            print("bench: no CSRF token on /login", file=sys.stderr)
            return 2
        signed = client.post("/login", data={"email": "bench@example.org", "password": PASSWORD,
                                             "csrf_token": token.group(1)})
        if signed.status_code != 303:
            print(f"bench: sign-in failed ({signed.status_code})", file=sys.stderr)
            return 2
        page = f"/indicators/{PLAN}"
        first = client.get(page)
        if first.status_code == 404:
            print(f"{page} is not there yet (404): timing /indicators/{PLAN}/enterprises instead")
            page = f"/indicators/{PLAN}/enterprises"
            first = client.get(page)
        if first.status_code != 200:
            print(f"bench: GET {page} answered {first.status_code}", file=sys.stderr)
            return 2
        times = []
        for _ in range(args.requests):
            t0 = time.perf_counter()
            response = client.get(page)
            times.append(time.perf_counter() - t0)
            assert response.status_code == 200
        median = statistics.median(times) * 1000
        print(f"GET {page}: median {median:.1f} ms, max {max(times) * 1000:.1f} ms over {args.requests} "
              f"(target < 200 ms: {'met' if median < 200 else 'NOT met'}); {len(first.content) / 1024:.0f} KB")
    rt.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
