"""English for the strings issue 12 §7 added, until the lead's `make messages` puts them in
kefu/locale/en (engineers do not edit the catalogue, so that it is regenerated once).

`english()` switches to English and adds to the loaded catalogue only the entries it does not
have yet: once the catalogue has them, the tests read the catalogue's own translation. The
same table is the list of translations asked for.
"""

from contextlib import contextmanager

from django.utils import translation
from django.utils.translation import trans_real

# Implementation projects (issue 17, kefu/projects): statuses, visit kinds and page strings. A msgid
# another section has keeps that section's English (one msgid, one translation).
PROJECTS: dict = {
    "计划中": "Planning",
    "实施中": "Implementing",
    "已暂停": "Paused",
    "验收评估中": "In acceptance evaluation",
    "终验": "Final acceptance",
    "已归档": "Archived",
    "已终止": "Terminated",
    "草稿": "Draft",
    "待审批": "Pending approval",
    "已退回修改": "Returned for changes",
    "已批准": "Approved",
    "已驳回": "Rejected",
    "待客户签字": "Awaiting the customer's signature",
    "客户已签字": "Signed by the customer",
    "已被新版本取代": "Superseded",
    "未开始": "Not started",
    "进行中": "Open",
    "成果待审核": "Result awaiting review",
    "已完成": "Done",
    "待客户确认": "Awaiting the customer's confirmation",
    "客户已确认": "Confirmed by the customer",
    "处理中": "In handling",
    "已解决": "Resolved",
    "跟踪中": "Tracked",
    "已关闭": "Closed",
    "审批中": "In approval",
    "评估中": "Evaluating",
    "验收通过": "Accepted",
    "验收未通过": "Not accepted",
    "项目实施回访": "Project return visit",
    "项目最终回访": "Final project return visit",
}

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
}
# implementation projects (issue 17), kept apart so that parallel branches merge cleanly
for _key, _english in PROJECTS.items():
    PENDING.setdefault(_key, _english)


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
