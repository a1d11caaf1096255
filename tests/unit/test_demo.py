"""The demo data set loads through the services, is marked as demo, and loads only once."""

from __future__ import annotations

from sqlalchemy import func, select

from wangan.demo import load_demo
from wangan.indicators.models import Consultation, Enterprise, Investment
from wangan.kernel.audit import verify_chain
from wangan.kernel.models import Organisation
from wangan.reviews.models import ReviewCase
from wangan.runtime import Runtime
from wangan.vulns import advisories
from wangan.vulns.models import Case


def test_demo_loads_once_marked_and_consistent(rt: Runtime) -> None:
    assert "DEMO" in load_demo(rt)
    assert "already loaded" in load_demo(rt)
    with rt.sessions() as s:
        orgs = s.execute(select(Organisation)).scalars().all()
        assert orgs and all(o.is_demo for o in orgs)
        assert s.execute(select(func.count(Case.id))).scalar_one() == 4
        views, total = advisories.public_views(s)
        assert total == 1 and views[0]["status"] == "published"
        reviews = {r.kind.value: r for r in s.execute(select(ReviewCase)).scalars()}
        assert set(reviews) == {"procurement", "listing"}
        assert all("DEMO" in r.title for r in reviews.values())
        cloud = reviews["procurement"]
        assert cloud.state.value == "initial_review" and len(cloud.pauses) == 1
        assert cloud.running_clock is not None and cloud.running_clock.rule_id == "REV-INITIAL"
        assert reviews["listing"].state.value == "preparing"
        firms = s.execute(select(Enterprise)).scalars().all()
        assert len(firms) == 7 and all("DEMO" in f.name for f in firms)
        assert all(len(f.years) == 4 for f in firms)
        investments = s.execute(select(Investment)).scalars().all()
        assert investments and all("DEMO" in i.source for i in investments)
        slugs = {c.slug: c for c in s.execute(select(Consultation)).scalars()}
        assert slugs["cn-miit-csi-2021-2023-draft"].recorded_only
        assert "DEMO" in slugs["demo-draft"].title_zh and slugs["demo-draft"].state.value == "published"
        _checked, problems = verify_chain(s)
        assert problems == []
