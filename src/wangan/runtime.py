"""The composition root: settings, database, rules and clock, built once per process."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from wangan.config import Settings
from wangan.db import make_engine, make_session_factory, unit_of_work
from wangan.indicators.plans import PlanFile, load_shipped_plans
from wangan.indicators.size_classes import SizeClassRules, default_size_classes, load_size_classes
from wangan.kernel import identity
from wangan.kernel.audit import Actor
from wangan.kernel.calendar import Clock, SystemClock
from wangan.kernel.workday_overrides import WorkCalendarCache
from wangan.kernel.workdays import WorkCalendar
from wangan.migrate import upgrade
from wangan.reviews.rules import ReviewRules, default_review_rules, load_review_rules
from wangan.vulns import cases
from wangan.vulns.gate import GateRules, load_gate_rules
from wangan.vulns.intake import IntakeLimits
from wangan.vulns.rules import VulnRules, load_vuln_rules


@dataclass
class Runtime:
    """Everything an adapter needs to serve a request, run a command or a job."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    vuln_rules: VulnRules
    gate_rules: GateRules
    clock: Clock = field(default_factory=SystemClock)
    review_rules: ReviewRules = field(default_factory=default_review_rules)
    # The Action Plan monitor's shipped plans (rules/plans/*.yaml) and SME size classes.
    plans: tuple[PlanFile, ...] = ()
    size_classes: SizeClassRules = field(default_factory=default_size_classes)

    @property
    def intake_limits(self) -> IntakeLimits:
        s = self.settings
        return IntakeLimits(max_text_bytes=s.intake_max_text_bytes,
                            max_attachment_bytes=s.intake_max_attachment_bytes,
                            max_attachments=s.intake_max_attachments,
                            allowed_types=frozenset(s.allowed_types))

    def dispose(self) -> None:
        self.engine.dispose()

    @cached_property
    def workday_cache(self) -> WorkCalendarCache:
        """This runtime's PRC working-day calendar cache (see ``work_calendar``)."""
        return WorkCalendarCache()

    def work_calendar(self, session: Session) -> WorkCalendar:
        """The PRC working-day calendar with the administrators' overrides; rebuilt only after an
        override or a confirmed year changed, in this process or any other."""
        return self.workday_cache.get(session)


def build_runtime(settings: Settings, *, migrate: bool = True, engine: Engine | None = None) -> Runtime:
    """Validate rules and secret (fail fast), create the data folder, and migrate the database."""
    rules = load_vuln_rules(settings.resolved_rules_dir)
    gate_rules = load_gate_rules(settings.resolved_rules_dir)
    review_rules = load_review_rules(settings.resolved_rules_dir)
    plans = tuple(load_shipped_plans(settings.resolved_rules_dir))
    size_classes = load_size_classes(settings.resolved_rules_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.secret()
    eng = engine or make_engine(settings.resolved_database_url)
    if migrate:
        upgrade(eng)
    sessions = make_session_factory(eng)
    cases.bind_gate_rules(sessions, gate_rules)
    return Runtime(settings=settings, engine=eng, sessions=sessions, vuln_rules=rules, gate_rules=gate_rules,
                   review_rules=review_rules, plans=plans, size_classes=size_classes)


def ensure_first_admin(rt: Runtime) -> tuple[str, str] | None:
    """Create the first administrator when there is no user at all.

    Returns (e-mail, password) when a password was generated, so it can be printed once."""
    with unit_of_work(rt.sessions) as session:
        if identity.count_users(session) > 0:
            return None
        password = rt.settings.admin_password.get_secret_value() if rt.settings.admin_password else None
        _user, generated = identity.create_user(
            session, Actor.system("bootstrap"), email=rt.settings.admin_email, role="admin",
            password=password, display_name="Administrator",
        )
    return (rt.settings.admin_email, generated) if generated else None
