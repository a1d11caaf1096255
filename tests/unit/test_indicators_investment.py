"""Investment per key industry (G6): import checks, shares and status against the 10 % target."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Factory
from wangan.errors import Conflict, Forbidden, Invalid
from wangan.indicators import investment as inv
from wangan.indicators.computations import Status
from wangan.indicators.models import Investment
from wangan.indicators.tabular import TableError
from wangan.kernel.auth import Principal
from wangan.runtime import Runtime

PLAN = "CN-MIIT-CSI-2021-2023"
HEADER = "industry,year,it_investment,security_investment,unit,source,vintage,is_forecast,note\n"


def csv(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


@pytest.fixture
def analyst(factory: Factory) -> Principal:
    return factory.principal(factory.user(factory.org(), "analyst"))


def test_plan_key(rt: Runtime) -> None:
    assert PLAN in [p.id for p in rt.plans]


def test_import_and_shares(rt: Runtime, session: Session, analyst: Principal) -> None:
    data = csv("telecom,2021,1000,50,亿元,S,2022-01-01,false,",
               "telecom,2022,1000,80,亿元,S,2023-01-01,否,",
               "telecom,2023,1000,120,亿元,S,2024-01-01,no,",
               "金融,2021,100,5,万元,S,,,",
               "finance,2022,100,6,万元,S,,,",
               "finance,2023,100,7,万元,F,,true,forecast")
    result = inv.import_investments(session, analyst, rt.plans, PLAN, data, "i.csv")
    session.commit()
    assert (result.kind, result.created) == ("investments", 6)
    shares = inv.investment_shares(session, analyst, rt.plans, PLAN)
    assert shares.target is not None and shares.target.value == Decimal(10)
    by_id = {s.industry.id: s for s in shares.industries}
    telecom = by_id["telecom"]
    assert [(p.year, p.value) for p in telecom.series] == [(2021, Decimal(5)), (2022, Decimal(8)),
                                                           (2023, Decimal(12))]
    assert telecom.assessment is not None and telecom.assessment.status is Status.ACHIEVED
    finance = by_id["finance"]
    assert [p.year for p in finance.series] == [2021, 2022]  # the forecast is not an actual
    assert finance.assessment is not None and finance.assessment.status in (Status.AT_RISK, Status.OFF_TRACK,
                                                                            Status.ON_TRACK)
    assert next(r for r in finance.rows if r.year == 2023).used is False
    assert by_id["energy"].assessment is not None and by_id["energy"].assessment.status is Status.NO_DATA
    assert telecom.rows[0].it_cny == Decimal("100000000000")


def test_import_problems(rt: Runtime, session: Session, analyst: Principal) -> None:
    data = csv("telecom,2021,100,150,万元,S,,,",      # security > IT
               "telecom,2022,-1,0,万元,S,,,",          # negative
               "bakery,2021,100,5,万元,S,,,",          # unknown industry
               "finance,2021,100,5,万元,S,,,",
               "finance,2021,100,6,万元,S,,,")         # duplicate
    with pytest.raises(TableError) as info:
        inv.import_investments(session, analyst, rt.plans, PLAN, data, "i.csv")
    problems = {(p.row, p.column): p.message for p in info.value.cell_problems}
    assert "more than the IT investment" in problems[2, "security_investment"]
    assert "negative" in problems[3, "it_investment"]
    assert "telecom (电信)" in problems[4, "industry"]
    assert "already in row 5" in problems[6, None]
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Investment)) == 0


def test_save_and_delete(rt: Runtime, session: Session, analyst: Principal, factory: Factory) -> None:
    viewer = factory.principal(factory.user(factory.org(), "viewer"))
    row = inv.save_investment(session, analyst, rt.plans, PLAN, industry="energy", year=2022,
                              it_investment=Decimal(10), security_investment=Decimal(1), source="S")
    session.commit()
    assert row.it_investment_cny == Decimal(100000)
    with pytest.raises(Conflict):
        inv.save_investment(session, analyst, rt.plans, PLAN, industry="energy", year=2022,
                            it_investment=Decimal(10), security_investment=Decimal(1), source="S")
    with pytest.raises(Invalid):
        inv.save_investment(session, analyst, rt.plans, PLAN, industry="energy", year=2023,
                            it_investment=Decimal(1), security_investment=Decimal(2), source="S")
    with pytest.raises(Forbidden):
        inv.save_investment(session, viewer, rt.plans, PLAN, industry="energy", year=2024,
                            it_investment=Decimal(10), security_investment=Decimal(1), source="S")
    assert len(inv.list_investments(session, viewer, plan_key=PLAN)) == 1
    inv.delete_investment(session, analyst, row.id)
    session.commit()
    assert inv.list_investments(session, viewer) == []
