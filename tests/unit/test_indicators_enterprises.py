"""The enterprise register: import (credit codes, size classes per year, upsert), CRUD and SME aggregates."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Factory
from wangan.errors import Forbidden, Invalid, NotFound
from wangan.indicators import credit_code as cc
from wangan.indicators import enterprises as ent
from wangan.indicators.models import Enterprise, EnterpriseYear
from wangan.indicators.size_classes import classify
from wangan.indicators.tabular import TableError
from wangan.kernel.auth import Principal
from wangan.kernel.models import AuditEvent
from wangan.runtime import Runtime

HEADER = "credit_code,name,size_industry,sectors,region,year,revenue,security_revenue,headcount,unit\n"


def code(n: int, division: str = "110108") -> str:
    first = f"91{division}{n:09d}"
    return first + cc.check_character(first)


def csv(*rows: str, header: str = HEADER) -> bytes:
    return (header + "\n".join(rows) + "\n").encode()


@pytest.fixture
def analyst(factory: Factory) -> Principal:
    return factory.principal(factory.user(factory.org(), "analyst"))


@pytest.fixture
def viewer(factory: Factory) -> Principal:
    return factory.principal(factory.user(factory.org(), "viewer"))


def run(rt: Runtime, session: Session, who: Principal, data: bytes, filename: str = "r.csv"):  # type: ignore[no-untyped-def]
    result = ent.import_enterprises(session, who, rt.size_classes, shipped=rt.plans, data=data, filename=filename)
    session.commit()
    return result


SMALL = csv(
    # software_it_services: large >= 300 persons and >= 10,000万元
    f"{code(1)},甲公司,software_it_services,icv;iot,北京,2021,500,100,50,万元",
    f"{code(1)},甲公司,software_it_services,icv;iot,北京,2022,20000,900,400,万元",   # large in 2022
    f"{code(2)},乙公司,software_it_services,物联网,上海,2021,1,0.5,5,万元",
    f"{code(2)},乙公司,software_it_services,物联网,上海,2022,2,1,8,万元",
    f"{code(3)},丙公司,software_it_services,smart_city,北京,2022,3000000,,20,元",
)


def test_import_sizes_per_year_and_counts(rt: Runtime, session: Session, analyst: Principal) -> None:
    result = run(rt, session, analyst, SMALL)
    assert (result.kind, result.rows, result.created, result.updated) == ("enterprises", 5, 5, 0)
    years = {(e.credit_code, y.year): y for e in session.scalars(select(Enterprise)) for y in e.years}
    first_2021, first_2022 = years[code(1), 2021], years[code(1), 2022]
    assert (first_2021.size_class, first_2021.is_sme) == ("small", True)
    assert (first_2022.size_class, first_2022.is_sme) == ("large", False)
    assert first_2022.size_rule == "SME-CLASS-2011/software_it_services"
    assert first_2022.revenue_cny == Decimal("200000000")
    assert years[code(3), 2022].revenue_cny == Decimal("3000000")
    assert years[code(3), 2022].security_revenue_cny is None
    # the fast path agrees with classify()
    for (c, _), y in years.items():
        assert classify(rt.size_classes, "software_it_services", y.headcount, y.revenue_cny).size == y.size_class, c
    e2 = session.scalar(select(Enterprise).where(Enterprise.credit_code == code(2)))
    assert e2 is not None and e2.sectors == ["iot"]
    events = session.scalars(select(AuditEvent).where(AuditEvent.tag == "indicators:enterprise:imported")).all()
    assert len(events) == 1 and events[0].data["years_created"] == 5


def test_reimport_upserts(rt: Runtime, session: Session, analyst: Principal) -> None:
    run(rt, session, analyst, SMALL)
    again = csv(f"{code(2)},乙公司（新）,software_it_services,iot,广东,2022,2,1,8,万元",
                f"{code(2)},乙公司（新）,software_it_services,iot,广东,2023,3,1,9,万元")
    result = run(rt, session, analyst, again)
    assert (result.created, result.updated) == (1, 1)
    e2 = session.scalar(select(Enterprise).where(Enterprise.credit_code == code(2)))
    assert e2 is not None and e2.name == "乙公司（新）" and e2.region == "广东"
    assert [y.year for y in e2.years] == [2021, 2022, 2023]
    assert session.scalar(select(func.count()).select_from(Enterprise)) == 3


def test_bad_rows_reported_with_row_and_column_and_nothing_imported(rt: Runtime, session: Session,
                                                                   analyst: Principal) -> None:
    bad_code = code(4)[:17] + ("0" if code(4)[17] != "0" else "1")
    data = csv(f"{code(1)},甲,software_it_services,icv,北京,2021,1,2,5,万元",     # security > revenue
               f"{bad_code},乙,software_it_services,icv,北京,2021,1,0,5,万元",   # check character
               f"{code(5)},丙,nope,icv,北京,2021,1,0,5,万元",                    # unknown industry
               f"{code(6)},丁,software_it_services,spaceships,北京,2021,1,0,5,万元",
               f"{code(7)},戊,software_it_services,icv,北京,2021,1,0,5,万元",
               f"{code(7)},戊,software_it_services,icv,上海,2022,1,0,5,万元")  # region differs
    with pytest.raises(TableError) as info:
        run(rt, session, analyst, data)
    where = {(p.row, p.column) for p in info.value.cell_problems}
    assert {(2, "security_revenue"), (3, "credit_code"), (4, "size_industry"), (5, "sectors"),
            (7, "region")} <= where
    message = next(p.message for p in info.value.cell_problems if p.row == 3)
    assert "check character" in message and "expected" in message
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Enterprise)) == 0


def test_duplicate_year_and_chinese_headers(rt: Runtime, session: Session, analyst: Principal) -> None:
    header = "统一社会信用代码,企业名称,行业,领域,地区,年份,营业收入,网络安全收入,从业人员,单位\n"
    with pytest.raises(TableError) as info:
        run(rt, session, analyst, csv(f"{code(1)},甲,software_it_services,车联网,北京,2021,1,0,5,万元",
                                      f"{code(1)},甲,software_it_services,车联网,北京,2021,1,0,5,万元", header=header))
    assert [(p.row, p.column) for p in info.value.cell_problems] == [(3, "年份")]
    session.rollback()
    result = run(rt, session, analyst, csv(f"{code(1)},甲,software_it_services,车联网,北京,2021,1,0,5,万元",
                                           header=header))
    assert result.created == 1


def test_viewer_cannot_import(rt: Runtime, session: Session, viewer: Principal) -> None:
    with pytest.raises(Forbidden):
        run(rt, session, viewer, SMALL)


def test_sme_counts_hand_checked(rt: Runtime, session: Session, analyst: Principal) -> None:
    run(rt, session, analyst, SMALL)
    by_sector = ent.sme_counts(session, analyst, by="sector", sectors_order=[s.id for s in rt.plans[0].sectors])
    assert by_sector.years == (2021, 2022)
    groups = {g.key: g for g in by_sector.groups}
    # 2021: 甲 (icv, iot) and 乙 (iot) are SMEs; 2022: 乙 (iot) and 丙 (smart_city); 甲 is large
    assert groups["icv"].counts == {2021: 1, 2022: 0}
    assert groups["iot"].counts == {2021: 2, 2022: 1}
    assert groups["smart_city"].counts == {2021: 0, 2022: 1}
    assert groups["iot"].growth[2022] == Decimal("-0.5")
    assert groups["smart_city"].growth[2022] is None
    assert by_sector.total.counts == {2021: 2, 2022: 2}
    assert [g.key for g in by_sector.groups] == ["icv", "iot", "smart_city"]
    by_region = {g.key: g.counts for g in ent.sme_counts(session, analyst, by="region").groups}
    assert by_region == {"上海": {2021: 1, 2022: 1}, "北京": {2021: 1, 2022: 1}}
    by_size = {g.key: g.counts for g in ent.sme_counts(session, analyst, by="size", years=[2022]).groups}
    assert by_size == {"large": {2022: 1}, "small": {2022: 1}, "micro": {2022: 1}}


def test_crud(rt: Runtime, session: Session, analyst: Principal, viewer: Principal) -> None:
    view = ent.save_enterprise(session, analyst, rt.size_classes, rt.plans, credit_code=code(9).lower(),
                               name="己公司", size_industry="software_it_services", sectors=["iot", "智慧城市"],
                               region="北京", years=[ent.YearFigures(2022, Decimal("5000000"), None, 12)])
    session.commit()
    assert view.credit_code == code(9) and view.sectors == ("iot", "smart_city")
    assert view.years[0].size_class == "small"
    got = ent.get_enterprise(session, viewer, code(9))
    assert got.name == "己公司"
    items, total = ent.list_enterprises(session, viewer, sector="iot", sme_only=True)
    assert total == 1 and items[0].credit_code == code(9)
    assert ent.list_enterprises(session, viewer, sector="icv")[1] == 0
    with pytest.raises(Invalid) as info:
        ent.save_enterprise(session, analyst, rt.size_classes, rt.plans, credit_code="91110108XXXXXXXXXX",
                            name="x", size_industry="software_it_services")
    assert info.value.problems[0].field == "credit_code"
    with pytest.raises(Forbidden):
        ent.delete_enterprise(session, viewer, code(9))
    ent.delete_enterprise(session, analyst, code(9))
    session.commit()
    with pytest.raises(NotFound):
        ent.get_enterprise(session, viewer, code(9))
    assert session.scalar(select(func.count()).select_from(EnterpriseYear)) == 0


def test_template_imports(rt: Runtime, session: Session, analyst: Principal) -> None:
    result = run(rt, session, analyst, ent.template_csv().encode())
    assert result.created == 1
