"""The demo data set: fictitious organisations, reports and cases, marked as demo wherever shown.

Loaded by ``wangan serve --demo`` or ``wangan demo load``; running it twice changes nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from wangan.db import unit_of_work, utcnow
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
    """Create the demo organisations, users, products, reports, cases and operator findings."""
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
