"""The documents of ``documents.py`` as Markdown, in Chinese or English (pure functions)."""

from __future__ import annotations

from typing import Any

TITLES = {
    "zh": {
        "monthly": "{sender}关于{period}下沉干部考勤和现实表现情况的报告",
        "quarterly": "{sender}关于{period}下沉干部履职结果的通报",
        "yearly": "{sender}关于{period}年度下沉社区工作情况的报告",
    },
    "en": {
        "monthly": "{sender}: attendance and conduct of the dispatched cadres, {period}",
        "quarterly": "{sender}: notice of the dispatched cadres' performance, {period}",
        "yearly": "{sender}: the year's work of the cadres dispatched to communities, {period}",
    },
}
WORDS = {
    "zh": {
        "to": "报送",
        "from": "报告单位",
        "period": "期间",
        "summary": "总体情况",
        "cadres_table": "下沉干部",
        "by_street": "分街道",
        "none": "无",
        "yes": "是",
    },
    "en": {
        "to": "To",
        "from": "From",
        "period": "Period",
        "summary": "Summary",
        "cadres_table": "Dispatched cadres",
        "by_street": "By street",
        "none": "none",
        "yes": "yes",
    },
}
LABELS = {
    "zh": {
        "cadre_id": "编号",
        "name": "姓名",
        "unit_name": "派出单位",
        "community_name": "社区",
        "street_name": "街道",
        "grid": "网格",
        "cadres": "下沉干部人数",
        "communities": "社区",
        "service_days": "到岗服务日",
        "expected_service_days": "应到服务日",
        "attendance": "出勤率",
        "absent": "督查缺岗",
        "idle": "督查脱岗",
        "visits": "走访次数",
        "households_visited": "入户数",
        "visit_rate": "入户率",
        "accuracy": "信息采集准确率",
        "satisfaction_mean": "群众满意度",
        "opinions": "社情民意",
        "volunteer_hours": "志愿服务时长",
        "shifts": "卡口执勤班次",
        "tasks_done": "防汛任务完成",
        "paper_only": "挂名式、点卯式",
        "conduct": "现实表现",
        "score": "得分",
        "grade": "考核格次",
        "grades": "考核格次",
    },
    "en": {
        "cadre_id": "id",
        "name": "name",
        "unit_name": "unit",
        "community_name": "community",
        "street_name": "street",
        "grid": "grid",
        "cadres": "cadres",
        "communities": "communities",
        "service_days": "service days",
        "expected_service_days": "expected service days",
        "attendance": "attendance",
        "absent": "found absent",
        "idle": "found idle",
        "visits": "visits",
        "households_visited": "households visited",
        "visit_rate": "visit rate",
        "accuracy": "accuracy",
        "satisfaction_mean": "satisfaction",
        "opinions": "opinions",
        "volunteer_hours": "volunteer hours",
        "shifts": "checkpoint shifts",
        "tasks_done": "flood tasks done",
        "paper_only": "present on paper only",
        "conduct": "conduct",
        "score": "score",
        "grade": "grade",
        "grades": "grades",
    },
}


def title(doc: dict[str, Any]) -> str:
    return TITLES[doc["lang"]][doc["kind"]].format(sender=doc["sender"]["name"], period=doc["period"])


def markdown(doc: dict[str, Any]) -> str:
    """One document as Markdown: title, addressee, summary, and a table of its cadres."""
    lang = doc["lang"]
    words, labels = WORDS[lang], LABELS[lang]
    lines = [
        f"# {title(doc)}",
        "",
        f"- {words['to']}: {doc['recipient']['name']} ({doc['recipient']['id']})",
        f"- {words['from']}: {doc['sender']['name']} ({doc['sender']['id']})",
        f"- {words['period']}: {doc['period']}",
        "",
        f"## {words['summary']}",
        "",
    ]
    summary = doc["summary"]
    for key, value in summary.items():
        if key != "by_street":
            lines.append(f"- {labels.get(key, key)}: {_cell(value, words)}")
    if "by_street" in summary:
        lines += ["", f"## {words['by_street']}", ""]
        for street, figures in summary["by_street"].items():
            lines.append(f"- {street}: {figures['cadres']} ({_cell(figures['grades'], words)})")
    if doc["cadres"]:
        fields = list(doc["cadres"][0])
        lines += ["", f"## {words['cadres_table']}", ""]
        lines.append("| " + " | ".join(labels.get(f, f) for f in fields) + " |")
        lines.append("|" + "---|" * len(fields))
        for row in doc["cadres"]:
            lines.append("| " + " | ".join(str(_cell(row[f], words)) for f in fields) + " |")
    return "\n".join(lines) + "\n"


def _cell(value: Any, words: dict[str, str]) -> Any:
    if isinstance(value, bool):
        return words["yes"] if value else "-"
    if value is None:
        return "-"
    if isinstance(value, list):
        return ", ".join(value) if value else words["none"]
    if isinstance(value, dict):
        return ", ".join(f"{k} {n}" for k, n in value.items()) if value else words["none"]
    if isinstance(value, float):
        return f"{value:.2f}"
    return value
