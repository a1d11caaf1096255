"""``/api/v1/enterprises`` and ``/api/v1/investments``: the enterprise register of goal G5 (unified social
credit code, size class per year under the 2011 SME provisions, sectors, region, yearly revenue and
headcount) with SME counts and growth per sector, region and size class; and IT and security investment
per key industry (goal G6) with the share against the plan's 10 % target.

Signed-in members read; analysts, managers and administrators record, import and delete. Money is given
in a unit (元, 万元, 亿元; default 万元) and answered in yuan as decimal strings. Imports are all or
nothing: a bad file is a 422 problem+json listing every row and column problem."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, Response, UploadFile
from pydantic import BaseModel, Field

from wangan.api.deps import ReaderDep, RuntimeDep, SessionDep, WriterDep
from wangan.api.v1.schemas import Page, Strict
from wangan.errors import FieldProblem, Invalid, NotFound, TooLarge
from wangan.indicators import enterprises, investment
from wangan.indicators.imports import ImportResult
from wangan.indicators.models import Investment
from wangan.indicators.units import CNY, UnitError, convert, parse_unit
from wangan.runtime import Runtime

router = APIRouter(tags=["indicators"])
MAX_IMPORT_BYTES = enterprises.MAX_BYTES


def _plan(rt: Runtime, plan: str | None) -> str:
    if plan:
        return plan
    if not rt.plans:
        raise NotFound("no plan is loaded; name one with ?plan=")
    return rt.plans[0].id


def _read(file: UploadFile) -> bytes:
    data = file.file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise TooLarge(f"the file is larger than {MAX_IMPORT_BYTES} bytes, the most accepted",
                       problems=[FieldProblem("file", f"at most {MAX_IMPORT_BYTES} bytes")])
    if not data:
        raise Invalid("the file is empty", problems=[FieldProblem("file", "an empty file")])
    return data


def _str(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


class ImportOut(BaseModel):
    batch_id: uuid.UUID
    kind: str
    filename: str
    rows: int
    created: int
    updated: int
    warnings: list[str]

    @classmethod
    def of(cls, r: ImportResult) -> ImportOut:
        return cls(batch_id=r.batch_id, kind=r.kind, filename=r.filename, rows=r.rows, created=r.created,
                   updated=r.updated, warnings=list(r.warnings))


# --------------------------------------------------------------------------- enterprises


class YearIn(Strict):
    year: int = Field(ge=1900, le=2100)
    revenue: Decimal | None = Field(default=None, ge=0, description="operating revenue (营业收入), in ``unit``")
    security_revenue: Decimal | None = Field(default=None, ge=0, description="of which cybersecurity, in ``unit``")
    headcount: int | None = Field(default=None, ge=0)


class EnterpriseIn(Strict):
    name: str = Field(min_length=1, max_length=300)
    size_industry: str = Field(min_length=1, max_length=64, examples=["software_it_services"])
    sectors: list[str] = Field(default_factory=list, max_length=10, examples=[["iot", "smart_city"]])
    region: str = Field(default="", max_length=64)
    unit: str = Field(default=enterprises.DEFAULT_UNIT, max_length=20, description="元, 万元 (default) or 亿元")
    years: list[YearIn] = Field(default_factory=list, max_length=100)


class EnterpriseCreate(EnterpriseIn):
    credit_code: str = Field(min_length=1, max_length=40)


class YearOut(BaseModel):
    year: int
    revenue_cny: str | None
    security_revenue_cny: str | None
    headcount: int | None
    size_class: str
    is_sme: bool
    size_rule: str


class EnterpriseOut(BaseModel):
    credit_code: str
    name: str
    size_industry: str
    sectors: list[str]
    region: str
    years: list[YearOut]

    @classmethod
    def of(cls, e: enterprises.EnterpriseView) -> EnterpriseOut:
        return cls(credit_code=e.credit_code, name=e.name, size_industry=e.size_industry, sectors=list(e.sectors),
                   region=e.region, years=[YearOut(year=y.year, revenue_cny=_str(y.revenue_cny),
                                                   security_revenue_cny=_str(y.security_revenue_cny),
                                                   headcount=y.headcount, size_class=y.size_class,
                                                   is_sme=y.is_sme, size_rule=y.size_rule) for y in e.years])


def _figures(body: EnterpriseIn) -> list[enterprises.YearFigures]:
    try:
        unit = parse_unit(body.unit)
        if unit.dimension != "money_cny":
            raise UnitError("use 元, 万元 or 亿元", code="not-cny")
    except UnitError as exc:
        raise Invalid(exc.detail, problems=[FieldProblem("unit", exc.detail)]) from None
    return [enterprises.YearFigures(y.year, None if y.revenue is None else convert(y.revenue, unit, CNY),
                                    None if y.security_revenue is None else convert(y.security_revenue, unit, CNY),
                                    y.headcount) for y in body.years]


def _save(rt: Runtime, session: SessionDep, principal: WriterDep, code: str, body: EnterpriseIn) -> EnterpriseOut:
    view = enterprises.save_enterprise(session, principal, rt.size_classes, rt.plans, credit_code=code,
                                       name=body.name, size_industry=body.size_industry, sectors=body.sectors,
                                       region=body.region, years=_figures(body), now=rt.clock.now())
    return EnterpriseOut.of(view)


@router.get("/enterprises", response_model=Page[EnterpriseOut], summary="The enterprise register, filtered")
def list_enterprises(session: SessionDep, principal: ReaderDep,
                     sector: Annotated[str | None, Query(max_length=64)] = None,
                     region: Annotated[str | None, Query(max_length=64)] = None,
                     sme: Annotated[bool, Query(description="SMEs in their latest year only")] = False,
                     q: Annotated[str | None, Query(max_length=100)] = None,
                     limit: Annotated[int, Query(ge=1, le=500)] = 50,
                     offset: Annotated[int, Query(ge=0)] = 0) -> Page[EnterpriseOut]:
    items, total = enterprises.list_enterprises(session, principal, sector=sector, region=region, sme_only=sme,
                                                q=q, limit=limit, offset=offset)
    return Page(items=[EnterpriseOut.of(e) for e in items], total=total, limit=limit, offset=offset)


@router.post("/enterprises", status_code=201, response_model=EnterpriseOut,
             summary="Add an enterprise (or update it, by credit code)")
def create_enterprise(body: EnterpriseCreate, response: Response, rt: RuntimeDep, session: SessionDep,
                      principal: WriterDep) -> EnterpriseOut:
    out = _save(rt, session, principal, body.credit_code, body)
    response.headers["Location"] = f"/api/v1/enterprises/{out.credit_code}"
    return out


@router.post("/enterprises/import", status_code=201, response_model=ImportOut,
             summary="Import an enterprise register (CSV/XLSX, one row per enterprise and year)")
def import_enterprises(rt: RuntimeDep, session: SessionDep, principal: WriterDep,
                       file: Annotated[UploadFile, File(description="a .csv or .xlsx file")]) -> ImportOut:
    result = enterprises.import_enterprises(session, principal, rt.size_classes, shipped=rt.plans, data=_read(file),
                                            filename=file.filename or "upload.csv", now=rt.clock.now())
    return ImportOut.of(result)


class SmeGroupOut(BaseModel):
    key: str
    counts: dict[int, int]
    growth: dict[int, str | None] = Field(description="year-on-year growth as a decimal fraction string")


class SmeStatsOut(BaseModel):
    by: str
    years: list[int]
    groups: list[SmeGroupOut]
    total: SmeGroupOut


def _group_out(g: enterprises.SmeGroup) -> SmeGroupOut:
    return SmeGroupOut(key=g.key, counts=g.counts, growth={y: _str(v) for y, v in g.growth.items()})


@router.get("/enterprises/stats", response_model=SmeStatsOut,
            summary="SME counts per sector, region or size class and year, with year-on-year growth")
def enterprise_stats(rt: RuntimeDep, session: SessionDep, principal: ReaderDep,
                     by: Annotated[Literal["sector", "region", "size"], Query()] = "sector",
                     year: Annotated[list[int] | None, Query(description="only these years")] = None
                     ) -> SmeStatsOut:
    order = [t.id for t in enterprises.sector_terms(rt.plans).values()]
    table = enterprises.sme_counts(session, principal, by=by, years=year, sectors_order=order)
    return SmeStatsOut(by=table.by, years=list(table.years), groups=[_group_out(g) for g in table.groups],
                       total=_group_out(table.total))


@router.get("/enterprises/{credit_code}", response_model=EnterpriseOut, summary="One enterprise with its years")
def get_enterprise(credit_code: str, session: SessionDep, principal: ReaderDep) -> EnterpriseOut:
    return EnterpriseOut.of(enterprises.get_enterprise(session, principal, credit_code))


@router.put("/enterprises/{credit_code}", response_model=EnterpriseOut,
            summary="Create or replace an enterprise's fields; the years given are set, others kept")
def put_enterprise(credit_code: str, body: EnterpriseIn, rt: RuntimeDep, session: SessionDep,
                   principal: WriterDep) -> EnterpriseOut:
    return _save(rt, session, principal, credit_code, body)


@router.delete("/enterprises/{credit_code}", status_code=204, summary="Remove an enterprise and its years")
def delete_enterprise(credit_code: str, session: SessionDep, principal: WriterDep) -> Response:
    enterprises.delete_enterprise(session, principal, credit_code)
    return Response(status_code=204)


# --------------------------------------------------------------------------- investment


class InvestmentIn(Strict):
    plan: str | None = Field(default=None, max_length=100)
    industry: str = Field(min_length=1, max_length=64, examples=["telecom"])
    year: int = Field(ge=1900, le=2100)
    it_investment: Decimal = Field(ge=0, description="informatization investment, in ``unit``")
    security_investment: Decimal = Field(ge=0, description="cybersecurity investment, in ``unit``")
    unit: str = Field(default=investment.DEFAULT_UNIT, max_length=20)
    source: str = Field(min_length=1, max_length=500)
    vintage: dt.date | None = None
    is_forecast: bool = False
    note: str = Field(default="", max_length=2000)


class InvestmentOut(BaseModel):
    id: uuid.UUID
    plan: str
    industry: str
    year: int
    it_investment_cny: str
    security_investment_cny: str
    share_percent: str | None
    source: str
    vintage: dt.date | None
    is_forecast: bool
    note: str

    @classmethod
    def of(cls, i: Investment) -> InvestmentOut:
        return cls(id=i.id, plan=i.plan_key, industry=i.industry_id, year=i.year,
                   it_investment_cny=_str(i.it_investment_cny) or "0",
                   security_investment_cny=_str(i.security_investment_cny) or "0",
                   share_percent=_str(investment.share_percent(i.it_investment_cny, i.security_investment_cny)),
                   source=i.source, vintage=i.vintage, is_forecast=i.is_forecast, note=i.note)


@router.get("/investments", response_model=list[InvestmentOut], summary="Investment figures per key industry")
def list_investments(session: SessionDep, principal: ReaderDep,
                     plan: Annotated[str | None, Query(max_length=100)] = None,
                     industry: Annotated[str | None, Query(max_length=64)] = None) -> list[InvestmentOut]:
    return [InvestmentOut.of(i) for i in investment.list_investments(session, principal, plan_key=plan,
                                                                     industry=industry)]


@router.post("/investments", status_code=201, response_model=InvestmentOut,
             summary="Record one key industry's IT and security investment in one year")
def create_investment(body: InvestmentIn, rt: RuntimeDep, session: SessionDep, principal: WriterDep) -> InvestmentOut:
    row = investment.save_investment(session, principal, rt.plans, _plan(rt, body.plan), industry=body.industry,
                                     year=body.year, it_investment=body.it_investment,
                                     security_investment=body.security_investment, unit=body.unit,
                                     source=body.source, vintage=body.vintage, is_forecast=body.is_forecast,
                                     note=body.note, now=rt.clock.now())
    return InvestmentOut.of(row)


@router.post("/investments/import", status_code=201, response_model=ImportOut,
             summary="Import investment figures (CSV/XLSX) of a plan's key industries")
def import_investments(rt: RuntimeDep, session: SessionDep, principal: WriterDep,
                       file: Annotated[UploadFile, File(description="a .csv or .xlsx file")],
                       plan: Annotated[str | None, Query(max_length=100)] = None) -> ImportOut:
    result = investment.import_investments(session, principal, rt.plans, _plan(rt, plan), _read(file),
                                           file.filename or "upload.csv", now=rt.clock.now())
    return ImportOut.of(result)


class AssessmentOut(BaseModel):
    status: str
    reason_en: str
    reason_zh: str


class ShareYearOut(BaseModel):
    year: int
    share_percent: str


class IndustrySharesOut(BaseModel):
    industry: str
    name_zh: str
    name_en: str
    series: list[ShareYearOut]
    records: list[InvestmentOut]
    assessment: AssessmentOut | None


class SharesOut(BaseModel):
    plan: str
    target_percent: str | None
    target_year: int | None
    comparator: str | None
    industries: list[IndustrySharesOut]


@router.get("/investments/shares", response_model=SharesOut,
            summary="Security share of IT investment per key industry and year, with the status against the target")
def investment_shares(rt: RuntimeDep, session: SessionDep, principal: ReaderDep,
                      plan: Annotated[str | None, Query(max_length=100)] = None) -> SharesOut:
    key = _plan(rt, plan)
    shares = investment.investment_shares(session, principal, rt.plans, key)
    records = {i.id: i for i in investment.list_investments(session, principal, plan_key=key)}
    t = shares.target
    return SharesOut(
        plan=shares.plan_key, target_percent=_str(t.value) if t else None, target_year=t.year if t else None,
        comparator=t.comparator if t else None,
        industries=[IndustrySharesOut(
            industry=s.industry.id, name_zh=s.industry.name_zh, name_en=s.industry.name_en,
            series=[ShareYearOut(year=p.year, share_percent=_str(p.value) or "0") for p in s.series],
            records=[InvestmentOut.of(records[r.id]) for r in s.rows if r.id in records],
            assessment=AssessmentOut(status=s.assessment.status.value, reason_en=s.assessment.reason_en,
                                     reason_zh=s.assessment.reason_zh) if s.assessment else None)
            for s in shares.industries])


@router.delete("/investments/{investment_id}", status_code=204, summary="Delete one investment record")
def delete_investment(investment_id: str, session: SessionDep, principal: WriterDep) -> Response:
    investment.delete_investment(session, principal, investment_id)
    return Response(status_code=204)
