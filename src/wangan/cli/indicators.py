"""``wangan indicators``: observations with provenance, and importing any monitor file (observations,
an enterprise register or investment figures; the kind is told from the header row).

Every command acts as the user named by ``--as``, through the same policy as the API. An import is all
or nothing: on bad rows nothing is stored, the exit code is 2 and stderr lists one line per problem,
e.g. ``row 4, column value: '12,3x' is not a number``."""

from __future__ import annotations

import codecs
import csv
import importlib
import io
import json
import warnings
from pathlib import Path
from typing import Annotated, Any

import typer

from wangan.cli.common import EXIT_INVALID, fail, handle_errors, principal_as, runtime, transaction
from wangan.cli.indicators_app import consultations_app, indicators_app
from wangan.errors import FieldProblem, Invalid, NotFound
from wangan.indicators import imports, observations, tabular, units
from wangan.indicators.imports import ImportResult
from wangan.indicators.models import Observation
from wangan.runtime import Runtime

__all__ = ["consultations_app", "indicators_app"]

AsUser = Annotated[str, typer.Option("--as", help="act as this user (e-mail)")]
AsJson = Annotated[bool, typer.Option("--json", help="print JSON")]
PlanOpt = Annotated[str | None, typer.Option("--plan", help="plan id (default: the first shipped plan)")]


def _plan_key(rt: Runtime, plan: str | None) -> str:
    if plan:
        return plan
    if not rt.plans:
        raise NotFound("no plan is loaded; name one with --plan")
    return rt.plans[0].id


def _json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _number(value: Any) -> str:
    return format(value.normalize(), "f")


def _obs_dict(o: Observation) -> dict[str, Any]:
    unit = units.parse_unit(o.unit)
    return {"id": str(o.id), "plan": o.plan_key, "indicator": o.indicator_id, "series": o.series_id, "year": o.year,
            "value": _number(o.value), "unit": unit.code, "canonical_value": _number(o.canonical_value),
            "canonical_unit": observations.canonical_unit(unit).code, "source": o.source, "scope": o.scope,
            "vintage": o.vintage.isoformat(), "is_forecast": o.is_forecast, "sector": o.sector, "region": o.region,
            "industry": o.industry, "size_class": o.size_class, "note": o.note, "origin": "user",
            "batch_id": str(o.batch_id) if o.batch_id else None}


def _obs_line(o: Observation) -> str:
    unit = units.parse_unit(o.unit)
    kind = "forecast" if o.is_forecast else "actual"
    return (f"{o.id}\t{o.indicator_id}\t{o.series_id}\t{o.year}\t{_number(o.value)} {unit.label_zh}\t{kind}\t"
            f"vintage {o.vintage.isoformat()}\t{o.source}")


def _headers(data: bytes, name: str) -> list[str]:
    """The header row of a CSV or XLSX file (the first non-blank row), to tell its kind."""
    suffix = name.rsplit(".", 1)[-1].casefold() if "." in name else ""
    if suffix == "xlsx":
        import openpyxl  # type: ignore[import-untyped]

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
            try:
                visible = [ws for ws in book.worksheets if ws.sheet_state == "visible"]
                for row in (visible[0].iter_rows(values_only=True) if visible else []):
                    cells = [str(c).strip() for c in row if c is not None and str(c).strip()]
                    if cells:
                        return cells
            finally:
                book.close()
        except Exception:  # unreadable: the importer reports it properly
            return []
        return []
    if data.startswith(codecs.BOM_UTF8):
        text = data[3:].decode("utf-8", "replace")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", "replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("gb18030", "replace")
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",;\t", key=first.count) if first else ","
    return [c.strip() for c in next(csv.reader([first], delimiter=delimiter), []) if c.strip()]


def _print_result(result: ImportResult) -> None:
    typer.echo(f"imported {result.kind} from {result.filename}: {result.rows} rows, {result.created} created, "
               f"{result.updated} updated (batch {result.batch_id})")
    for warning in result.warnings:
        typer.echo(f"note: {warning}")


def _report(exc: tabular.TableError) -> typer.Exit:
    for problem in exc.cell_problems:
        typer.echo(f"{problem.field_name()}: {problem.message}", err=True)
    return fail(exc.detail, EXIT_INVALID)


@indicators_app.command("import")
@handle_errors
def import_file(file: Annotated[Path, typer.Argument(metavar="FILE", help="a .csv or .xlsx file")],
                as_user: AsUser, plan: PlanOpt = None) -> None:
    """Import observations, an enterprise register or investment figures (all or nothing)."""
    if not file.is_file():
        raise fail(f"no such file: {file}", EXIT_INVALID)
    data = file.read_bytes()
    kind = imports.detect_kind(_headers(data, file.name))
    rt = runtime()
    try:
        with transaction(rt) as session:
            principal = principal_as(session, as_user)
            now = rt.clock.now()
            if kind == "observations":
                result = observations.import_observations(session, principal, rt.plans, _plan_key(rt, plan), data,
                                                          file.name, now=now)
            else:
                # Written by the enterprises slice; looked up when used so this module loads without it.
                enterprises: Any = importlib.import_module("wangan.indicators.enterprises")
                if kind == "enterprises":
                    result = enterprises.import_enterprises(session, principal, rt.size_classes, shipped=rt.plans,
                                                            data=data, filename=file.name, now=now)
                else:
                    result = enterprises.import_investments(session, principal, rt.plans, _plan_key(rt, plan), data,
                                                            file.name, now=now)
            _print_result(result)
    except tabular.TableError as exc:
        raise _report(exc) from exc


@indicators_app.command("observations")
@handle_errors
def list_(as_user: AsUser, plan: PlanOpt = None,
          indicator: Annotated[str | None, typer.Option(help="only this indicator, e.g. IND-SCALE")] = None,
          series: Annotated[str | None, typer.Option(help="only this series, e.g. CAICT-BROAD")] = None,
          actuals_only: Annotated[bool, typer.Option("--actuals-only", help="leave forecasts out")] = False,
          as_json: AsJson = False) -> None:
    """Recorded observations with their provenance (id, series, year, value, actual/forecast, vintage, source)."""
    rt = runtime()
    with transaction(rt) as session:
        rows, _total = observations.list_observations(session, principal_as(session, as_user), rt.plans,
                                                      _plan_key(rt, plan), indicator_id=indicator,
                                                      series_id=series, include_forecasts=not actuals_only,
                                                      limit=100_000)
        if as_json:
            _json([_obs_dict(o) for o in rows])
            return
        for o in rows:
            typer.echo(_obs_line(o))


@indicators_app.command("observation-add")
@handle_errors
def add(as_user: AsUser,
        indicator: Annotated[str, typer.Option(help="indicator id, e.g. IND-SCALE")],
        series: Annotated[str, typer.Option(help="series id, e.g. CAICT-BROAD")],
        year: Annotated[int, typer.Option(help="the year the figure is for (1900–2100)")],
        value: Annotated[str, typer.Option(help="the figure as published, e.g. 2500")],
        unit: Annotated[str, typer.Option(help="its unit, e.g. 亿元 or 'CNY bn'")],
        source: Annotated[str, typer.Option(help="publisher and publication")],
        vintage: Annotated[str, typer.Option(help="publication date, e.g. 2024-01-15 (a time with an offset is "
                                                  "converted to the Beijing date)")],
        forecast: Annotated[bool, typer.Option("--forecast", help="the figure is a forecast")] = False,
        plan: PlanOpt = None,
        scope: Annotated[str, typer.Option(help="scope, if narrower than the series'")] = "",
        sector: Annotated[str, typer.Option(help="breakdown: sector id")] = "",
        region: Annotated[str, typer.Option(help="breakdown: region")] = "",
        industry: Annotated[str, typer.Option(help="breakdown: key industry id")] = "",
        size_class: Annotated[str, typer.Option(help="breakdown: size class")] = "",
        note: Annotated[str, typer.Option(help="free text")] = "",
        as_json: AsJson = False) -> None:
    """Record one observation; prints it with its id."""
    rt = runtime()
    with transaction(rt) as session:
        data = observations.ObservationIn(
            plan_key=_plan_key(rt, plan), indicator_id=indicator, series_id=series, year=year, value=value,
            unit=unit, source=source, vintage=vintage, is_forecast=forecast, scope=scope, sector=sector,
            region=region, industry=industry, size_class=size_class, note=note)
        row = observations.add_observation(session, principal_as(session, as_user), rt.plans, data, now=rt.clock.now())
        if as_json:
            _json(_obs_dict(row))
        else:
            typer.echo(_obs_line(row))


@indicators_app.command("observation-delete")
@handle_errors
def delete(observation_id: Annotated[str, typer.Argument(metavar="ID", help="the observation's id")],
           as_user: AsUser) -> None:
    """Delete one recorded observation (the plan's reference figures cannot be deleted)."""
    rt = runtime()
    with transaction(rt) as session:
        observations.delete_observation(session, principal_as(session, as_user), observation_id)
        typer.echo(f"deleted {observation_id}")


@indicators_app.command("export-observations")
@handle_errors
def export(as_user: AsUser, plan: PlanOpt = None,
           output: Annotated[Path | None, typer.Option("-o", "--output", help="write to FILE (default stdout)")]
           = None) -> None:
    """The recorded observations as CSV (UTF-8 with BOM), in the columns the import reads."""
    rt = runtime()
    with transaction(rt) as session:
        text = observations.export_observations_csv(session, principal_as(session, as_user), rt.plans,
                                                    _plan_key(rt, plan))
    if output is None:
        typer.echo(text.removeprefix("\ufeff"), nl=False)
        return
    try:
        output.write_bytes(text.encode("utf-8"))
    except OSError as exc:
        raise Invalid(f"cannot write {output}: {exc.strerror}",
                      problems=[FieldProblem("output", str(exc.strerror))]) from exc
    typer.echo(f"wrote {output}")
