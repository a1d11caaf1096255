"""The demo data set: fictitious organisations, reports and cases, marked as demo wherever shown.

Loaded by ``wangan serve --demo`` or ``wangan demo load``; running it twice changes nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from wangan.db import unit_of_work, utcnow
from wangan.indicators import consultations, credit_code, enterprises, investment, tasks
from wangan.kernel import identity
from wangan.kernel.audit import Actor
from wangan.kernel.auth import Principal, principal_for
from wangan.kernel.calendar import beijing_date
from wangan.kernel.models import Organisation
from wangan.reviews import assessment
from wangan.reviews import cases as review_cases
from wangan.runtime import Runtime
from wangan.vulns import advisories, cases, intake, operator, products
from wangan.vulns.models import IntakeChannel

DEMO_SLUG = "demo-provider"
DEMO_PASSWORD = "demo-password-1234"
ACTOR = Actor.system("demo-loader")


def load_demo(rt: Runtime) -> str:
    """Create the demo organisations, users, products, reports, cases and operator findings, review cases,
    and the Action Plan monitor's demo register, investment, task progress and consultations."""
    with unit_of_work(rt.sessions) as s:
        if s.execute(select(Organisation.id).where(Organisation.slug == DEMO_SLUG)).first():
            return "demo data already loaded (DEMO — not real vulnerabilities)"
        org = identity.create_organisation(
            s, ACTOR, slug=DEMO_SLUG, name="[演示 DEMO] 示例网络设备有限公司 Example Networks Ltd.",
            roles=["provider", "operator"], contact_email="psirt@demo.example", address="北京市海淀区示例路1号",
            is_demo=True)
        identity.create_organisation(
            s, ACTOR, slug="demo-overseas", name="[DEMO] Overseas Research Lab", roles=["finder"],
            jurisdiction="overseas", accepts_reports=False, is_demo=True)
        manager, _ = identity.create_user(s, ACTOR, email="manager@demo.example", role="manager",
                                          org_slug=org.slug, password=DEMO_PASSWORD, display_name="演示经理")
        identity.create_user(s, ACTOR, email="analyst@demo.example", role="analyst", org_slug=org.slug,
                             password=DEMO_PASSWORD, display_name="演示分析师")
        who = principal_for(manager)
        router = products.create_product(s, who, vendor="Example Networks", name="EX 路由器",
                                          model="EX-3000", versions=["5.1.0", "5.1.2", "5.2.0"])
        camera = products.create_product(s, who, vendor="Example Networks", name="EX 网络摄像机",
                                          model="CAM-20", versions=["2.0.4"])
        now = utcnow()
        samples = [
            ("EX-3000 web 管理界面命令注入", "管理界面 /cgi-bin/diag 的 host 参数未过滤,可注入系统命令。", 60),
            ("CAM-20 firmware hard-coded credentials", "A hard-coded maintenance account exists in 2.0.4.", 20),
            ("EX-3000 SNMP 信息泄露", "默认 community 字符串可读取配置。", 2),
        ]
        made = []
        for title, content, hours_ago in samples:
            record, _ = intake.submit_report(
                s, rt.vuln_rules, intake.ReportIn(title=title, content=content,
                                                  reporter_contact="finder@demo.example",
                                                  reporter_name="演示白帽 Demo finder", organisation=org.slug),
                channel=IntakeChannel.WEB, limits=rt.intake_limits, now=now - timedelta(hours=hours_ago))
            made.append(record)
        overdue = cases.create_case(s, who, rt.vuln_rules, cases.CaseIn(
            title=made[0].title, report_id=made[0].id, fields={
                "product_id": str(router.id), "affected_versions": "5.1.0 – 5.1.2",
                "verification_result": "在 5.1.2 上复现,需登录后利用。",
                "technical_characteristics": "OS command injection (CWE-78) in diag handler",
                "harm": "已认证攻击者可执行任意命令", "impact_scope": "约 1.2 万台在网设备",
                "cwe": "CWE-78", "cvss31_vector": "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"}), now=now)
        cases.transition(s, who, rt.vuln_rules, overdue.id, "start_verification")
        soon = cases.create_case(s, who, rt.vuln_rules, cases.CaseIn(
            title=made[1].title, report_id=made[1].id, fields={
                "product_id": str(camera.id), "affected_versions": "2.0.4",
                "in_upstream_component": True}), now=now)
        cases.record_upstream_notice(s, who, soon.id, supplier="Demo SoC Vendor", component="bootloader",
                                     component_version="1.8", channel="e-mail", sent_at=now - timedelta(hours=1))
        cases.create_case(s, who, rt.vuln_rules, cases.CaseIn(title=made[2].title, report_id=made[2].id), now=now)
        # A fixed vulnerability, published through the gate, so the public portal has something to show.
        fixed = cases.create_case(s, who, rt.vuln_rules, cases.CaseIn(
            title="[DEMO] EX-3000 固件升级包签名校验绕过 Firmware signature check bypass",
            aware_at=now - timedelta(days=20),
            fields={"product_id": str(router.id), "affected_versions": "5.1.0", "cwe": "CWE-347",
                    "cvss31_vector": "CVSS:3.1/AV:N/AC:H/PR:H/UI:N/S:U/C:H/I:H/A:H",
                    "fix_description": "升级到 5.2.0 / Upgrade to 5.2.0",
                    "fix_available_at": now - timedelta(days=3)}), now=now)
        advisory = advisories.draft_from_case(s, who, fixed.number)
        advisories.update_advisory(s, who, advisory.number, {
            "description": "[演示 DEMO] 固件升级时未正确校验签名,高权限攻击者可刷入篡改固件。",
            "fix": "升级到 5.2.0;升级前仅允许管理网段访问。Upgrade to 5.2.0; restrict the management network.",
            "credits": "演示白帽 Demo finder"})
        for action in ("submit", "approve", "publish"):
            advisories.transition(s, who, rt.gate_rules, advisory.number, action, note="demo")
        asset = operator.create_asset(s, who, kind="system", name="办公网 VPN 网关", identifier="vpn-gw-01",
                                      location="北京机房 A", owner="IT 运维")
        operator.create_finding(s, who, rt.vuln_rules, asset_id=asset.id, title="VPN 网关存在已公开的越权漏洞",
                                reference="CVE-2024-0000 (demo)",
                                cvss31_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
                                found_at=now - timedelta(days=3))
        _demo_reviews(s, rt, who, now)
        _demo_indicators(s, rt, who, now)
    return (f"demo data loaded (DEMO — not real vulnerabilities): sign in as manager@demo.example "
            f"or analyst@demo.example with password {DEMO_PASSWORD}")


def _demo_reviews(s: Session, rt: Runtime, who: Principal, now: datetime) -> None:
    """Two cybersecurity review cases (Measures for Cybersecurity Review), dated relative to today:
    a CIIO's procurement of a cloud service in initial review after one finished supplementary-material
    pause, and a listing abroad still preparing its dossier."""
    today = beijing_date(now)
    calendar = rt.work_calendar(s)
    rules = rt.review_rules

    def day(days_ago: int) -> date:
        return today - timedelta(days=days_ago)

    cloud = review_cases.create_case(s, who, rules, review_cases.ReviewCaseIn(
        kind="procurement", title="[演示 DEMO] 采购政务云服务 Procurement of a government cloud service",
        filed_on=day(45), product_name="[DEMO] 示例云 Example Cloud 专属云 IaaS", product_category="cloud_services",
        supplier_name="[DEMO] 示例云计算有限公司 Example Cloud Co.", supplier_country="CN",
        description="演示数据，并非真实申报。Demo data, not a real filing."), calendar=calendar, now=now)
    for slot in ("application_form", "impact_report", "procurement_documents"):
        review_cases.upload_document(s, who, rules, cloud.number, slot=slot, filename=f"demo-{slot}.txt",
                                     content_type="text/plain", data=f"[DEMO] {slot}\n".encode(),
                                     calendar=calendar, filed_on=day(40), note="demo", now=now)
    review_cases.transition(s, who, rules, cloud.number, "notice_review", calendar=calendar, on=day(30), now=now)
    review_cases.transition(s, who, rules, cloud.number, "begin_initial_review", calendar=calendar, on=day(28),
                            now=now)
    review_cases.start_pause(s, who, rules, cloud.number, calendar=calendar, started_on=day(14), ended_on=day(10),
                             reason="[DEMO] 审查办公室要求补充供应链安全说明 Supply-chain statement requested",
                             now=now)
    assessment.assess_factor(s, who, rules, cloud.number, "RF-2", rating="low",
                             evidence="[DEMO] 双供应商，可在 30 日内迁移 Two suppliers; migration within 30 days",
                             now=now)
    listing = review_cases.create_case(s, who, rules, review_cases.ReviewCaseIn(
        kind="listing", title="[演示 DEMO] 拟在纽约证券交易所上市 Planned listing on the NYSE", filed_on=day(5),
        listing_venue="NYSE", user_count="120万", description="演示数据 Demo data"), calendar=calendar, now=now)
    review_cases.upload_document(s, who, rules, listing.number, slot="application_form",
                                 filename="demo-application.txt", content_type="text/plain",
                                 data=b"[DEMO] application form\n", calendar=calendar, filed_on=day(3), now=now)


# Demo enterprises: (name, size-class industry, sectors, region, headcount, revenue 万元 per year 2020–2023,
# security share of revenue). Fictitious; every name carries the demo mark.
_DEMO_ENTERPRISES: tuple[tuple[str, str, tuple[str, ...], str, int, tuple[int, ...], str], ...] = (
    ("示例车联安全科技", "software_it_services", ("icv",), "北京市", 45, (600, 900, 1400, 2100), "0.9"),
    ("示例工控卫士", "software_it_services", ("industrial_internet",), "上海市", 120, (5200, 6100, 7300, 8800), "0.8"),
    ("示例物联盾", "software_it_services", ("iot",), "广东省", 18, (80, 160, 310, 520), "1"),
    ("示例智城安全", "software_it_services", ("smart_city", "iot"), "浙江省", 260, (9800, 9900, 10200, 9700), "0.6"),
    ("示例数安云", "software_it_services", ("industrial_internet", "iot"), "四川省", 75, (900, 1300, 1500, 2400), "1"),
    ("示例车路协同安全", "software_it_services", ("icv", "smart_city"), "湖北省", 9, (30, 45, 90, 160), "1"),
    ("示例网络安全集团", "software_it_services", ("other",), "北京市", 2400, (180000, 205000, 231000, 250000),
     "0.7"),
)
# Demo investment (万元): industry → (year, IT investment, security investment).
_DEMO_INVESTMENT: dict[str, tuple[tuple[int, int, int], ...]] = {
    "telecom": ((2021, 500000, 36000), (2022, 520000, 44000), (2023, 540000, 52000)),
    "finance": ((2021, 800000, 64000), (2022, 830000, 75000), (2023, 860000, 90000)),
    "energy": ((2021, 300000, 9000), (2022, 310000, 12000), (2023, 320000, 15000)),
}
DEMO_SOURCE = "[演示 DEMO] 虚构数据,并非真实统计 Fictitious demo figures, not real statistics"


def _demo_credit_code(index: int) -> str:
    """A checksum-valid unified social credit code in a range no real register uses for these names."""
    body = f"91110000MA0D{index:05d}"
    return body + credit_code.check_character(body)


def _demo_indicators(s: Session, rt: Runtime, who: Principal, now: datetime) -> None:
    """Demo figures for the Action Plan monitor: a small enterprise register, investment in three key
    industries, progress on task 6, the 2021 draft's consultation as a record, and an open demo
    consultation. The plan's own reference figures (CAICT, CCIA, IDC) are real and need no demo."""
    shipped = rt.plans
    if not shipped:
        return
    plan = shipped[0]
    for index, (name, industry, sectors, region, headcount, revenues, share) in enumerate(_DEMO_ENTERPRISES):
        years = [enterprises.YearFigures(year=2020 + offset, revenue_cny=Decimal(wan) * 10_000,
                                         security_revenue_cny=Decimal(wan) * 10_000 * Decimal(share),
                                         headcount=headcount + offset * max(1, headcount // 10))
                 for offset, wan in enumerate(revenues)]
        enterprises.save_enterprise(s, who, rt.size_classes, shipped, credit_code=_demo_credit_code(index + 1),
                                    name=f"[演示 DEMO] {name}有限公司", size_industry=industry, sectors=sectors,
                                    region=region, years=years, now=now)
    for industry, rows in _DEMO_INVESTMENT.items():
        if not any(k.id == industry for k in plan.key_industries):
            continue
        for year, it_wan, security_wan in rows:
            investment.save_investment(s, who, shipped, plan.id, industry=industry, year=year,
                                       it_investment=Decimal(it_wan), security_investment=Decimal(security_wan),
                                       unit="万元", source=DEMO_SOURCE, vintage=date(year + 1, 3, 1), now=now)
    if any(t.number == 6 for t in plan.tasks):
        tasks.add_progress(s, who, shipped, plan.id, 6, on=beijing_date(now) - timedelta(days=30),
                           status="in_progress",
                           note="[演示 DEMO] 漏洞知识库与成分分析(SCA)工具试点上线 Pilot of a vulnerability knowledge "
                                "base and an SCA tool", evidence="[DEMO] https://demo.example/task6", now=now)
    if plan.consultation is not None:
        consultations.record_plan_consultation(s, who, shipped, plan.id, now=now)
    demo = consultations.create_consultation(
        s, who, slug="demo-draft", plan_key=plan.id,
        title_zh="[演示 DEMO] 关于示例产业政策的征求意见稿", title_en="[DEMO] Draft industry policy for comment",
        body="[演示 DEMO] 这是一份演示用征求意见稿,用于试用评论与审核流程。\n"
             "[DEMO] A demo draft to try commenting and moderation.",
        document_url="", opens_at=now - timedelta(days=2), closes_at=now + timedelta(days=28), now=now)
    consultations.publish(s, who, demo.slug, now=now)
    comment = consultations.submit_comment(s, demo.slug, body="[演示 DEMO] 建议明确中小企业认定口径。"
                                           " Please define how SMEs are counted.", name="演示用户",
                                           organisation="[DEMO] 示例协会", now=now)
    consultations.moderate(s, who, comment.id, state="approved", now=now)
