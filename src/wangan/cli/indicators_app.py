"""The ``wangan indicators`` and ``wangan consultations`` command groups; their commands live in
``cli/indicators*.py`` and ``cli/consultations.py``, which register on these apps."""

from __future__ import annotations

import typer

indicators_app = typer.Typer(no_args_is_help=True,
                             help="The Action Plan monitor: plans, observations, enterprises, investment, tasks.")
consultations_app = typer.Typer(no_args_is_help=True, help="Public consultations on draft documents.")
