"""UI texts of this slice (plans, dashboards, progress report), zh and en; merged into
``wangan.web.i18n.MESSAGES``. The report's own words live in ``wangan.reports.plan_report.LABELS``."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "ind.title": ("产业监测：行动计划", "Action Plan monitor"),
    "ind.lead": ("各项规划的目标、实际数据与进展状态。状态按Open SDG年复合增长率法计算，每个数字均可查看计算过程。",
                 "Plans, their goals, the actual figures and the progress status. The status follows Open SDG's "
                 "CAGR method; every figure shows how it was computed."),
    "ind.plans": ("规划", "Plans"),
    "ind.no_plans": ("尚无规划。", "No plans yet."),
    "ind.upload": ("上传规划文件", "Upload a plan file"),
    "ind.upload_lead": ("上传符合 rules/plans 格式的 YAML 规划文件。同一规划编号再次上传将替换先前版本；"
                        "系统内置规划的编号不可占用。",
                        "Upload a plan file in the YAML format of rules/plans. Uploading the same plan id again "
                        "replaces the earlier upload; the id of a shipped plan cannot be taken."),
    "ind.file": ("规划文件（YAML）", "Plan file (YAML)"),
    "ind.file_hint": ("UTF-8 编码，最大 1 MB。", "UTF-8 text, at most 1 MB."),
    "ind.choose_file": ("请选择一个文件。", "Choose a file."),
    "ind.upload_submit": ("上传", "Upload"),
    "ind.uploaded": ("规划已上传。", "The plan was uploaded."),
    "ind.deleted": ("规划已删除。", "The plan was removed."),
    "ind.delete": ("删除此规划", "Remove this plan"),
    "ind.period": ("规划期", "Period"),
    "ind.status_draft": ("征求意见稿", "draft"),
    "ind.status_final": ("正式文件", "final"),
    "ind.origin_shipped": ("系统内置", "shipped"),
    "ind.origin_uploaded": ("用户上传", "uploaded"),
    "ind.goals": ("目标", "Goals"),
    "ind.open_dashboard": ("查看看板", "Open the dashboard"),
    "ind.dashboard": ("进展看板", "Progress dashboard"),
    "ind.report": ("进展报告", "Progress report"),
    "ind.report_page": ("可打印报告", "Printable report"),
    "ind.download": ("下载", "Download"),
    "ind.download_html": ("HTML", "HTML"),
    "ind.download_pdf": ("PDF", "PDF"),
    "ind.download_csv": ("数据（CSV）", "Data (CSV)"),
    "ind.download_json": ("数据（JSON）", "Data (JSON)"),
    "ind.tasks_board": ("重点任务看板", "Key tasks board"),
    "ind.enterprises": ("企业名录与中小企业统计", "Enterprise register and SME counts"),
    "ind.investment": ("重点行业网络安全投入", "Security investment by key industry"),
    "ind.goal_detail": ("详情与全部数据", "Details and all data"),
    "ind.back": ("返回看板", "Back to the dashboard"),
    "ind.tools": ("报告工具", "Report tools"),
    "ind.print": ("打印", "Print"),
    "ind.other_lang": ("English", "中文"),
    "ind.forbidden_upload": ("只有管理员和经理可以上传规划。", "Only managers and administrators may upload plans."),
    "ind.as_of": ("截至年份", "As of year"),
    "ind.consultation": ("征求意见", "Public consultation"),
}
