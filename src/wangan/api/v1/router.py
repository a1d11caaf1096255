"""All of ``/api/v1``."""

from fastapi import APIRouter

from wangan.api.v1 import (
    account,
    advisories,
    calendar,
    cases,
    consultations,
    finder,
    gate,
    indicators_enterprises,
    indicators_observations,
    indicators_plans,
    indicators_tasks,
    operator,
    platform,
    reports,
    reviews,
)

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(reports.router)
api_router.include_router(cases.router)
api_router.include_router(operator.router)
api_router.include_router(account.router)
api_router.include_router(gate.router)
api_router.include_router(advisories.router)
api_router.include_router(finder.router)
api_router.include_router(platform.router)
api_router.include_router(calendar.router)
api_router.include_router(reviews.router)
api_router.include_router(indicators_plans.router)
api_router.include_router(indicators_observations.router)
api_router.include_router(indicators_enterprises.router)
api_router.include_router(indicators_tasks.router)
api_router.include_router(consultations.router)
