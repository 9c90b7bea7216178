"""What is exported: the `Column` spec and the columns of follow-ups, invitations and clients.

Each column names its row key, its Chinese and English headers, its kind (how a writer shows
it) and the catalogue group that names its codes. Apart from `exports.py`, which holds the
CSV, XLSX and JSON writers, because which columns an export has is a question of content and
privacy (what staff may take out of the building), reviewed on its own, while the writers only
know kinds.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("text", "code", "money", "cents", "integer", "date", "datetime", "bool")


@dataclass(frozen=True)
class Column:
    """One exported column: the row key (also the JSON key), its Chinese and English headers,
    its kind, and the catalogue group that names its codes (`followup_kind`), if any.

    Kinds: text (free text: guarded against formulas), code (mobiles, ids, codes: always text),
    money (Decimal or "49000.00"), cents (integer cents), integer, date, datetime (shown in
    Asia/Shanghai), bool (是/否, Yes/No).

    A spreadsheet is in one language, headers and values alike: `labels` turns the codes of a
    column into words of that language (JSON keeps the codes, for scripts).
    """

    key: str
    header: str
    kind: str = "text"
    header_en: str = ""
    labels: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")

    def title(self, lang: str) -> str:
        return self.header if lang == "zh_CN" else self.header_en or self.key


FOLLOWUP_COLUMNS = (
    Column("followup_id", "跟进编号", "code", "Follow-up"),
    Column("kind", "跟进类型", header_en="Kind", labels="followup_kind"),
    Column("status", "状态", header_en="Status", labels="export_value.followup_status"),
    Column("due", "到期日", "date", "Due"),
    Column("overdue", "逾期", "bool", "Overdue"),
    Column("days_overdue", "逾期天数", "integer", "Days overdue"),
    Column("assignee", "负责人", "code", "Assignee"),
    Column("assignee_name", "负责人姓名", header_en="Assignee name"),
    Column("client_id", "客户号", "code", "Client"),
    Column("client_name", "姓名", header_en="Name"),
    Column("mobile", "手机号", "code", "Mobile"),
    Column("aum", "金融资产", "money", "AUM"),
    Column("branch", "网点", "code", "Branch"),
    Column("session_id", "场次", "code", "Session"),
    Column("form_id", "登记表", "code", "Form"),
    Column("next_session_id", "下一场次", "code", "Next session"),
    Column("outcome", "结果", header_en="Outcome", labels="followup_outcome"),
    Column("note", "备注", header_en="Note"),
    Column("attempts", "跟进次数", "integer", "Attempts"),
    Column("created_at", "创建时间", "datetime", "Created"),
    Column("done_at", "完成时间", "datetime", "Done"),
    Column("done_by", "完成人", "code", "Done by"),
)
INVITATION_COLUMNS = (
    Column("invitation_id", "邀约编号", "code", "Invitation"),
    Column("session_id", "场次", "code", "Session"),
    Column("starts_at", "场次时间", "datetime", "Starts"),
    Column("branch", "网点", "code", "Branch"),
    Column("client_id", "客户号", "code", "Client"),
    Column("name", "姓名", header_en="Name"),
    Column("mobile", "手机号", "code", "Mobile"),
    Column("code", "签到码", "code", "Check-in code"),
    Column("segment", "客群", header_en="Segment", labels="invite_builder.segment"),
    Column("aum", "邀约时金融资产", "money", "AUM when invited"),
    Column("state", "邀约状态", header_en="State", labels="call_list.state"),
    Column("sms_sent", "短信已发", "bool", "SMS sent"),
    Column("wechat_added", "已加微信", "bool", "WeChat added"),
    Column("calls", "致电次数", "integer", "Calls"),
    Column("last_result", "最近结果", header_en="Last result", labels="call_list.result"),
    Column("last_note", "最近备注", header_en="Last note"),
    Column("last_outcome_at", "最近联系时间", "datetime", "Last contact"),
    Column("rm", "客户经理", "code", "RM"),
    Column("issued_at", "邀约时间", "datetime", "Invited"),
)
CLIENT_COLUMNS = (
    Column("client_id", "客户号", "code", "Client"),
    Column("name", "姓名", header_en="Name"),
    Column("mobile", "手机号", "code", "Mobile"),
    Column("id_last4", "证件号后四位", "code", "ID last 4"),
    Column("branch", "所属网点", "code", "Branch"),
    Column("rm", "客户经理", "code", "RM"),
    Column("aum", "金融资产", "money", "AUM"),
    Column("segment", "客群", header_en="Segment", labels="invite_builder.segment"),
    Column("risk_grade", "风险等级", "code", "Risk grade"),
    Column("risk_expires", "风险评估到期日", "date", "Risk assessment expires"),
    Column("marketing_consent", "营销同意", "bool", "Marketing consent"),
    Column("contact_status", "联系状态", header_en="Contact", labels="export_value.contact_status"),
    Column("points", "积分", "integer", "Points"),
    Column("experience_tier", "体验等级", "code", "Experience tier", "checkin_desk.tier"),
    Column("experience_ends", "体验到期日", "date", "Experience ends"),
    Column("registered_at", "登记时间", "datetime", "Registered"),
)
COLUMNS = {
    "followups": FOLLOWUP_COLUMNS,
    "invitations": INVITATION_COLUMNS,
    "clients": CLIENT_COLUMNS,
}
WHATS = tuple(COLUMNS)
