"""``/api/v1/observations``: published figures of the Action Plan's indicators with their provenance
(series, scope, source, vintage, forecast or actual), recorded one by one or imported from CSV/XLSX.

Signed-in members read; analysts, managers and administrators record, import and delete (policy in
``wangan.indicators.policy``). Decimals are strings in JSON. An import is all or nothing: a bad file is
a 422 problem+json whose ``errors`` list every row and column problem."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, Response, UploadFile
from pydantic import BaseModel, Field

from wangan.api.deps import ReaderDep, RuntimeDep, SessionDep, WriterDep
from wangan.api.v1.schemas import Page, Strict
from wangan.downloads import attachment_headers
from wangan.errors import FieldProblem, Invalid, NotFound, TooLarge
from wangan.indicators import observations, policy, units
from wangan.indicators.models import Observation
from wangan.indicators.tabular import DEFAULT_MAX_BYTES
from wangan.runtime import Runtime

router = APIRouter(prefix="/observations", tags=["indicators"])

MAX_IMPORT_BYTES = DEFAULT_MAX_BYTES


def default_plan(rt: Runtime, plan: str | None) -> str:
    """The plan asked for, or the first shipped plan."""
    if plan:
        return plan
    if not rt.plans:
        raise NotFound("no plan is loaded; name one with ?plan=")
    return rt.plans[0].id


class ObservationOut(BaseModel):
    id: uuid.UUID
    plan: str
    indicator: str
    series: str
    year: int
    value: str = Field(description="as published, in ``unit`` (a decimal string)")
    unit: str = Field(description="unit code, e.g. cny_100m")
    unit_label_zh: str
    unit_label_en: str
    canonical_value: str = Field(description="in the dimension's canonical unit (亿元 for CNY)")
    canonical_unit: str
    source: str
    scope: str
    vintage: dt.date = Field(description="publication date (Beijing calendar date)")
    is_forecast: bool
    sector: str
    region: str
    industry: str
    size_class: str
    note: str
    origin: Literal["user"] = "user"
    batch_id: uuid.UUID | None
    created_at: dt.datetime

    @classmethod
    def of(cls, o: Observation) -> ObservationOut:
        unit = units.parse_unit(o.unit)
        return cls(id=o.id, plan=o.plan_key, indicator=o.indicator_id, series=o.series_id, year=o.year,
                   value=format(o.value.normalize(), "f"), unit=unit.code, unit_label_zh=unit.label_zh,
                   unit_label_en=unit.label_en, canonical_value=format(o.canonical_value.normalize(), "f"),
                   canonical_unit=observations.canonical_unit(unit).code, source=o.source, scope=o.scope,
                   vintage=o.vintage, is_forecast=o.is_forecast, sector=o.sector, region=o.region,
                   industry=o.industry, size_class=o.size_class, note=o.note, batch_id=o.batch_id,
                   created_at=o.created_at)


class ObservationCreate(Strict):
    plan: str | None = Field(default=None, max_length=100, description="plan id; default the first shipped plan")
    indicator: str = Field(max_length=64, examples=["IND-SCALE"])
    series: str = Field(max_length=64, examples=["CAICT-BROAD"])
    year: int = Field(description="1900–2100", examples=[2023])
    value: str = Field(max_length=60, description="a decimal as a string", examples=["2500"])
    unit: str = Field(max_length=32, examples=["亿元"])
    source: str = Field(max_length=500)
    vintage: str = Field(max_length=40, description="publication date, e.g. 2024-01-15; a date and time with an "
                                                    "offset is converted to the Beijing calendar date")
    is_forecast: bool = False
    scope: str = Field(default="", max_length=4000)
    sector: str = Field(default="", max_length=64)
    region: str = Field(default="", max_length=64)
    industry: str = Field(default="", max_length=64)
    size_class: str = Field(default="", max_length=16)
    note: str = Field(default="", max_length=4000)


class ImportOut(BaseModel):
    batch_id: uuid.UUID
    kind: str
    filename: str
    rows: int
    created: int
    updated: int
    warnings: list[str]


@router.get("", response_model=Page[ObservationOut], summary="Recorded observations of a plan, with provenance")
def list_observations(rt: RuntimeDep, session: SessionDep, principal: ReaderDep,
                      plan: Annotated[str | None, Query(max_length=100)] = None,
                      indicator: Annotated[str | None, Query(max_length=64)] = None,
                      series: Annotated[str | None, Query(max_length=64)] = None,
                      forecasts: bool = True,
                      page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                      limit: Annotated[int, Query(ge=1, le=500)] = 100) -> Page[ObservationOut]:
    offset = (page - 1) * limit
    rows, total = observations.list_observations(session, principal, rt.plans, default_plan(rt, plan),
                                                 indicator_id=indicator, series_id=series,
                                                 include_forecasts=forecasts, limit=limit, offset=offset)
    return Page[ObservationOut](items=[ObservationOut.of(o) for o in rows], total=total, limit=limit, offset=offset)


@router.post("", status_code=201, response_model=ObservationOut, summary="Record one observation")
def create_observation(body: ObservationCreate, response: Response, rt: RuntimeDep, session: SessionDep,
                       principal: WriterDep) -> ObservationOut:
    row = observations.add_observation(session, principal, rt.plans, observations.ObservationIn(
        plan_key=default_plan(rt, body.plan), indicator_id=body.indicator, series_id=body.series, year=body.year,
        value=body.value, unit=body.unit, source=body.source, vintage=body.vintage, is_forecast=body.is_forecast,
        scope=body.scope, sector=body.sector, region=body.region, industry=body.industry,
        size_class=body.size_class, note=body.note), now=rt.clock.now())
    response.headers["Location"] = f"/api/v1/observations/{row.id}"
    return ObservationOut.of(row)


@router.get("/export.csv", response_class=Response, summary="Recorded observations as CSV (the import's columns)")
def export_csv(rt: RuntimeDep, session: SessionDep, principal: ReaderDep,
               plan: Annotated[str | None, Query(max_length=100)] = None,
               indicator: Annotated[str | None, Query(max_length=64)] = None,
               series: Annotated[str | None, Query(max_length=64)] = None) -> Response:
    key = default_plan(rt, plan)
    text = observations.export_observations_csv(session, principal, rt.plans, key, indicator_id=indicator,
                                                series_id=series)
    return Response(text.encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers=attachment_headers(f"observations-{key}.csv"))


@router.get("/template.csv", response_class=Response, summary="A sample import file: header and one example row")
def template_csv(principal: ReaderDep) -> Response:
    policy.require_read(principal)
    return Response(observations.template_csv().encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers=attachment_headers("observations-template.csv"))


@router.post("/import", status_code=201, response_model=ImportOut,
             summary="Import a CSV or XLSX file of observations (all or nothing)")
def import_file(rt: RuntimeDep, session: SessionDep, principal: WriterDep,
                file: Annotated[UploadFile, File(description="a .csv or .xlsx file")],
                plan: Annotated[str | None, Query(max_length=100)] = None) -> ImportOut:
    data = file.file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise TooLarge(f"the file is larger than {MAX_IMPORT_BYTES} bytes, the most accepted",
                       problems=[FieldProblem("file", f"at most {MAX_IMPORT_BYTES} bytes")])
    if not data:
        raise Invalid("the file is empty", problems=[FieldProblem("file", "an empty file")])
    result = observations.import_observations(session, principal, rt.plans, default_plan(rt, plan), data,
                                              file.filename or "upload.csv", now=rt.clock.now())
    return ImportOut(batch_id=result.batch_id, kind=result.kind, filename=result.filename, rows=result.rows,
                     created=result.created, updated=result.updated, warnings=list(result.warnings))


@router.get("/{observation_id}", response_model=ObservationOut, summary="One recorded observation")
def get_observation(observation_id: uuid.UUID, session: SessionDep, principal: ReaderDep) -> ObservationOut:
    return ObservationOut.of(observations.get_observation(session, principal, observation_id))


@router.delete("/{observation_id}", status_code=204, response_class=Response, summary="Delete a recorded observation")
def delete_observation(observation_id: uuid.UUID, session: SessionDep, principal: WriterDep) -> Response:
    observations.delete_observation(session, principal, observation_id)
    return Response(status_code=204)
