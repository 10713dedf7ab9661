"""English for the strings issue 12 §7 added, until the lead's `make messages` puts them in
kefu/locale/en (engineers do not edit the catalogue, so that it is regenerated once).

`english()` switches to English and adds to the loaded catalogue only the entries it does not
have yet: once the catalogue has them, the tests read the catalogue's own translation. The
same table is the list of translations asked for.
"""

from contextlib import contextmanager

from django.utils import translation
from django.utils.translation import trans_real

# msgid → msgstr; a plural entry is (msgid, form) → msgstr, forms 0 (one) and 1 (other).
PENDING: dict = {
    # countdowns (kefu/deadlines/templatetags/deadlines_tags.py, countdown.js)
    ("%(n)s 天", 0): "%(n)s day",
    ("%(n)s 天", 1): "%(n)s days",
    "%(n)s 小时": "%(n)s h",
    "%(n)s 分钟": "%(n)s min",
    # punctuation made part of the translatable string (kefu/core/words.py and the templates)
    "、": ", ",
    "%(label)s：%(value)s": "%(label)s: %(value)s",
    "（%(value)s）": " (%(value)s)",
    "%(reason)s：%(note)s": "%(reason)s: %(note)s",
    "（%(reason)s，自 %(at)s）": " (%(reason)s, since %(at)s)",
    "（%(before)s → %(after)s）": " (%(before)s → %(after)s)",
    "（%(after)s）": " (%(after)s)",
    "原因：%(reason)s": "Reason: %(reason)s",
    "提醒：": "Reminder: ",
    "客户签字确认：%(outcome)s": "Customer signature: %(outcome)s",
    "地址：": "Address: ",
    "联系人：": "Contact: ",
    "预约：": "Appointment: ",
    "（已超时）": " (overdue)",
    "升级：%(target)s %(party)s": "Escalation: %(target)s %(party)s",
    "会诊：%(topic)s": "Consultation: %(topic)s",
    "（爽约：%(reason)s）": " (missed appointment: %(reason)s)",
    "邮件预览：%(subject)s": "Email preview: %(subject)s",
    "作者：": "Author: ",
    "审核人：": "Reviewer: ",
    "发布人：": "Published by: ",
    "已选择：%(name)s": "Selected: %(name)s",
    "工程师：": "Engineer: ",
    "结果：": "Result: ",
    "（目标 %(target)s）": " (target %(target)s) ",
    "%(name)s（%(start)s–%(end)s）": "%(name)s (%(start)s–%(end)s)",
    "预约上门时间：%(start)s–%(end)s": "Onsite appointment: %(start)s–%(end)s",
    "服务结果：": "Service result: ",
    "（%(name)s %(at)s 签字）": " (signed by %(name)s, %(at)s)",
    "服务人员：%(name)s": "Served by: %(name)s",
    "整改责任人：": "Rectification owner: ",
    "客户意见：": "Customer feedback: ",
    "整改措施：": "Rectification measures: ",
    "（%(name)s %(at)s）": " (%(name)s, %(at)s)",
    "角色：": "Roles: ",
    "收件人：%(name)s <%(email)s>": "To: %(name)s <%(email)s>",
    "下次联系：%(at)s": "Next contact: %(at)s",
    "发现的问题：%(problems)s": "Issues found: %(problems)s",
    "可用变量：{{ customer.name }}、{{ contact.name }}、{{ contract.number }}、{{ contract.service_start }}、"
    "{{ company.name }}、{{ company.hotline }}、{{ company.service_email }}、{{ response.urgent }}、"
    "{{ response.high }}、{{ response.medium }}、{{ response.low }}（首次响应时限，取自时限规则）": (
        "Variables: {{ customer.name }}, {{ contact.name }}, {{ contract.number }}, {{ contract.service_start }}, "
        "{{ company.name }}, {{ company.hotline }}, {{ company.service_email }}, {{ response.urgent }}, "
        "{{ response.high }}, {{ response.medium }}, {{ response.low }} (first-response limits, from the deadline rules)"
    ),
    # messages that were not translatable before
    "请选择已有客户，或提供 new_customer。": "Choose an existing customer, or give new_customer.",
    "无效的客户。": "Invalid customer.",
    "感谢您的评价！": "Thank you for your feedback!",
    # audit verbs of the approval chain, told apart from the subject's own move (issue 14 §1)
    "审批：已提交": "Approval: submitted",
    "审批：已重新提交": "Approval: resubmitted",
    "审批：同意": "Approval: approved",
    "审批：退回修改": "Approval: returned for changes",
    "审批：驳回": "Approval: rejected",
    # complaints and crises (issue 16): statuses and choices; the rest in COMPLAINTS below
    "待审核": "Awaiting review",
    "不成立（已归档）": "Not counted (archived)",
    "待责任部门处理": "With the responsible department",
    "处理中": "In handling",
    "维修站处理中": "At the station",
    "总部协调中": "Headquarters coordinating",
    "待验证": "Awaiting verification",
    "已升级厂商": "Escalated to the vendor",
    "已关闭": "Closed",
    "无需审批": "No approval needed",
    "审批中": "In approval",
    "已批准": "Approved",
    "已退回": "Returned",
    "进行中": "Open",
    "待检查": "Awaiting check",
    "已验证关闭": "Checked and closed",
}


def _add_missing() -> list:
    catalog = trans_real.translation("en")._catalog
    added = [key for key in PENDING if key not in catalog]
    for key in added:
        catalog[key] = PENDING[key]
    return added


def _remove(added: list) -> None:
    first = trans_real.translation("en")._catalog._catalogs[0]
    for key in added:
        first.pop(key, None)


@contextmanager
def catalogue():
    """The English catalogue with the pending entries, whatever language is active (a live
    server thread reads it too)."""
    added = _add_missing()
    try:
        yield
    finally:
        _remove(added)


@contextmanager
def english():
    """English active, with the pending entries."""
    with catalogue(), translation.override("en"):
        yield
