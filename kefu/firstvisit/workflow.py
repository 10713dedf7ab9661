"""First visit after signing (FV-1..FV-6). Every step is one transaction with its audit event.

hand_over → (verify / correct archive, explain process, send the process email, record needs,
submit needs) → complete | not_completed → (again) → complete.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.template import Context, Template
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from kefu.audit import verbs
from kefu.audit.service import record
from kefu.core import states, words
from kefu.core.errors import REASON_REQUIRED, Conflict, Invalid
from kefu.core.permissions import require
from kefu.customers import timeline
from kefu.customers import workflow as archive
from kefu.customers.models import Contact, Contract, Customer
from kefu.deadlines import clocks
from kefu.deadlines.models import DeadlineRule, Unit
from kefu.deadlines.spec import RuleSpec
from kefu.firstvisit.models import EmailTemplate, FirstVisit, Need
from kefu.notify import outbox
from kefu.notify.models import Outbox
from kefu.org.models import Company, Department, User
from kefu.search import index

ALREADY_HANDED_OVER = _("该合同已移交首访。")
NO_SPECIALIST = _("没有可分配的首访客服专员，请先设置“首访客服专员”角色的人员。")
NOT_OPEN = _("该首访已完成，不能再修改。")
MOVE_NOT_ALLOWED = _("首访不能从“%(before)s”变为“%(after)s”。")
NEXT_ATTEMPT_REQUIRED = _("请填写下次联系时间（须晚于现在）。")
PROCESS_NOT_EXPLAINED = _("请先向客户说明服务流程（热线、QQ、获取服务的方式和响应时间）。")
NO_MAIN_CONTACT_EMAIL = _("主要联系人没有邮箱，请先核实并填写邮箱。")
NEED_CONTENT_REQUIRED = _("请填写需求内容。")
NO_NEEDS_TO_SUBMIT = _("没有待提交的需求。")
DEPARTMENT_WITHOUT_HEAD = _("部门“%(department)s”没有设置负责人，无法提交。")
UNKNOWN_FIELD = _("未知的核实项：%(field)s")
EMAIL_TO = _("收件人：%(name)s <%(email)s>")
NEXT_ATTEMPT = _("下次联系：%(at)s")

PROCESS_TEMPLATE_KEY = "service_process"
# FV-4: the response times the email promises are the deadline rules' (SR-2), never typed in:
# {{ response.urgent }} … {{ response.low }} in the template.
RESPONSE_RULES = {
    "urgent": "request.first_response.urgent",
    "high": "request.first_response.high",
    "medium": "request.first_response.medium",
    "low": "request.first_response.low",
}
DEFAULT_SUBJECT = "{{ company.name }} 客户服务流程说明"
DEFAULT_BODY = """{{ contact.name|default:"尊敬的客户" }}，您好！

感谢 {{ customer.name }} 选择 {{ company.name }}。以下是我们的服务流程：

1. 服务热线：{{ company.hotline|default:"400-800-8888" }}（工作日 9:00–18:00）
2. 服务 QQ / 微信服务号：添加后可在线咨询，并接收产品资讯
3. 获取服务：电话、QQ、邮件（{{ company.service_email|default:"service@example.com" }}）或客户门户提交问题
4. 响应时间：紧急问题 {{ response.urgent }}内、一般问题 {{ response.medium }}内首次响应；无法远程解决的安排工程师上门

您的合同：{{ contract.number }}，服务期 {{ contract.service_start|date:"Y-m-d" }} 至 {{ contract.service_end|date:"Y-m-d" }}。

{{ company.name }} 客户服务部
"""

verbs.register(
    "firstvisit",
    hand_over=_("移交首访"),
    verify=_("核实档案"),
    explain_process=_("告知服务流程"),
    send_process_email=_("发送服务流程邮件"),
    record_need=_("记录需求"),
    submit_need=_("提交需求"),
    complete=_("完成"),
    not_completed=_("未完成"),
)

# The explicit table of first-visit moves.
F = FirstVisit.Status
MACHINE = states.Machine(
    FirstVisit,
    moves={F.PENDING: {F.COMPLETED, F.RETRY}, F.RETRY: {F.COMPLETED, F.RETRY}},
    colours={F.PENDING: "blue", F.RETRY: "orange", F.COMPLETED: "green"},
    not_allowed=MOVE_NOT_ALLOWED,
)
NEED = states.Machine(
    Need,
    moves={Need.Status.RECORDED: {Need.Status.SUBMITTED}},
    colours={Need.Status.RECORDED: "yellow", Need.Status.SUBMITTED: "green"},
)

# What the specialist verifies on the call (FV-3, seed 004): key → (record, field).
CHECKS: dict[str, tuple[str, str]] = {
    "customer.name": ("customer", "name"),
    "customer.address": ("customer", "address"),
    "customer.website": ("customer", "website"),
    "customer.business": ("customer", "business"),
    "contact.name": ("contact", "name"),
    "contact.mobile": ("contact", "mobile"),
    "contact.phone": ("contact", "phone"),
    "contact.email": ("contact", "email"),
    "contact.qq": ("contact", "qq"),
    "contact.wechat": ("contact", "wechat"),
    "contract.products": ("contract", "products"),
    "contract.software_version": ("contract", "software_version"),
    "contract.modules": ("contract", "modules"),
    "contract.dongle_no": ("contract", "dongle_no"),
}
# Seed 000: the main contact's QQ goes into the marketing QQ, WeChat into the service account.
FLAGS = ("contact.in_marketing_qq", "contact.in_wechat_service")


def pick_specialist() -> User:
    """The active first-visit specialist with the fewest open first visits (FV-1)."""
    open_states = [FirstVisit.Status.PENDING, FirstVisit.Status.RETRY]
    user = (
        User.objects.filter(is_active=True, groups__name="first_visit")
        .annotate(load=Count("first_visits", filter=Q(first_visits__status__in=open_states)))
        .order_by("load", "pk")
        .first()
    )
    if user is None:
        raise Invalid(NO_SPECIALIST)
    return user


def hand_over(contract: Contract, *, by: User, now: datetime, specialist: User | None = None) -> FirstVisit:
    """Sales hands a signed contract over: a first-visit task due in 1 week, with a notification (FV-1, FV-2)."""
    require(by, "firstvisit.hand_over")
    with transaction.atomic():
        if not Contract.objects.filter(pk=contract.pk, handed_over_at__isnull=True).update(handed_over_at=now):
            raise Conflict(ALREADY_HANDED_OVER)
        specialist = specialist or pick_specialist()
        visit = FirstVisit(
            customer_id=contract.customer_id,
            contract=contract,
            specialist=specialist,
            handed_over_by=by,
            handed_over_at=now,
        )
        visit.fill_search_tokens()
        visit.save()
        record(
            visit,
            "hand_over",
            by=by,
            at=now,
            after=visit.get_status_display(),
            data={"contract": contract.number, "specialist": specialist.pk},
        )
        clocks.start(visit, "firstvisit.call", owner=specialist, now=now, by=by)
        timeline.add(
            visit.customer,
            "first_visit",
            title=_("合同 %(n)s 移交首访") % {"n": contract.number},
            at=now,
            by=by,
            subject=visit,
        )
        outbox.enqueue(
            "firstvisit.assigned",
            visit,
            to=[specialist],
            subject=str(_("新的首访任务：%(c)s（1 周内完成）") % {"c": visit.customer.name}),
            body=str(
                _("合同 %(n)s 已由 %(s)s 移交，请在 1 周内完成首访电话。")
                % {"n": contract.number, "s": by.display_name}
            ),
            link=visit.get_absolute_url(),
            now=now,
        )
    return visit


def hand_over_new(
    *,
    customer: Customer | None,
    new_customer: dict[str, Any] | None,
    contact: dict[str, Any] | None,
    contract: dict[str, Any],
    by: User,
    now: datetime,
    confirm_duplicate: bool = False,
) -> FirstVisit:
    """The handover form and API: customer (existing or new, duplicates confirmed), contract, task."""
    require(by, "firstvisit.hand_over")
    with transaction.atomic():
        if customer is None:
            customer = archive.create_customer(
                data=new_customer or {},
                contacts=[contact] if contact else [],
                by=by,
                now=now,
                confirm_duplicate=confirm_duplicate,
            )
        signed = archive.create_contract(customer, {**contract, "sales": by}, by=by, now=now)
        return hand_over(signed, by=by, now=now)


def _open(visit: FirstVisit, by) -> FirstVisit:
    require(by, "firstvisit.work", visit)
    locked = FirstVisit.objects.select_for_update(of=("self",)).select_related("customer", "contract").get(pk=visit.pk)
    if locked.status == FirstVisit.Status.COMPLETED:
        raise Conflict(NOT_OPEN)
    return locked


def main_contact(visit: FirstVisit) -> Contact | None:
    return Contact.objects.filter(customer_id=visit.customer_id, is_main=True).first()


def current_values(visit: FirstVisit) -> dict[str, Any]:
    """What the archive says now, per check key, for the first-visit page."""
    records = {"customer": visit.customer, "contract": visit.contract, "contact": main_contact(visit)}
    return {
        key: getattr(records[rec], name, "") if records[rec] is not None else ""
        for key, (rec, name) in {**CHECKS, **{f: ("contact", f.split(".")[1]) for f in FLAGS}}.items()
    }


def verify(
    visit: FirstVisit,
    *,
    verified: list[str],
    corrections: dict[str, Any],
    expected: dict[str, Any] | None = None,
    by: User,
    now: datetime,
) -> FirstVisit:
    """Verify the archive field by field and correct what is wrong (FV-3).

    Each correction goes through the archive's workflow with verb "correct", so the history
    shows who changed which field from what to what, during which first visit.
    """
    unknown = [k for k in [*verified, *corrections] if k not in CHECKS and k not in FLAGS]
    if unknown:
        raise Invalid(UNKNOWN_FIELD % {"field": unknown[0]})
    expected = expected or {}
    with transaction.atomic():
        locked = _open(visit, by)
        source = f"first_visit:{locked.pk}"
        grouped: dict[str, dict[str, Any]] = {"customer": {}, "contact": {}, "contract": {}}
        seen: dict[str, dict[str, Any]] = {"customer": {}, "contact": {}, "contract": {}}
        for key, value in corrections.items():
            rec, name = CHECKS.get(key) or ("contact", key.split(".")[1])
            grouped[rec][name] = value
            if key in expected:
                seen[rec][name] = expected[key]
        changed: list[str] = []
        if grouped["customer"]:
            changed += [
                f"customer.{f}"
                for f in archive.update_customer(
                    locked.customer,
                    grouped["customer"],
                    by=by,
                    now=now,
                    expected=seen["customer"],
                    verb="correct",
                    source=source,
                )
            ]
        if grouped["contract"]:
            changed += [
                f"contract.{f}"
                for f in archive.update_contract(
                    locked.contract,
                    grouped["contract"],
                    by=by,
                    now=now,
                    expected=seen["contract"],
                    verb="correct",
                    source=source,
                )
            ]
        if grouped["contact"]:
            contact = main_contact(locked)
            if contact is None:
                contact = archive.add_contact(locked.customer, {**grouped["contact"], "is_main": True}, by=by, now=now)
                changed += [f"contact.{f}" for f in grouped["contact"]]
            else:
                changed += [
                    f"contact.{f}"
                    for f in archive.update_contact(
                        contact,
                        grouped["contact"],
                        by=by,
                        now=now,
                        expected=seen["contact"],
                        verb="correct",
                        source=source,
                    )
                ]
        newly = sorted(set(verified) | {k for k in corrections if k in CHECKS})
        locked.verified_fields = sorted(set(locked.verified_fields) | set(newly))
        locked.save(update_fields=["verified_fields"])
        record(
            locked,
            "verify",
            by=by,
            at=now,
            after=f"{len(locked.verified_fields)}/{len(CHECKS)}",
            data={"verified": newly, "corrected": changed},
        )
        if changed:
            labels = words.join(sorted(changed))
            timeline.add(
                locked.customer, "archive", title=_("首访核实并更正档案"), body=labels, at=now, by=by, subject=locked
            )
    visit.refresh_from_db()
    return visit


def explain_process(visit: FirstVisit, *, by: User, now: datetime) -> FirstVisit:
    """The specialist told the customer the service process on the call (FV-4)."""
    with transaction.atomic():
        locked = _open(visit, by)
        if locked.process_explained_at is None:
            FirstVisit.objects.filter(pk=locked.pk).update(process_explained_at=now)
            record(locked, "explain_process", by=by, at=now)
    visit.refresh_from_db()
    return visit


def process_template() -> EmailTemplate:
    template, _created = EmailTemplate.objects.get_or_create(
        key=PROCESS_TEMPLATE_KEY,
        defaults={"name": "服务流程说明", "subject": DEFAULT_SUBJECT, "body": DEFAULT_BODY},
    )
    return template


def response_times() -> dict[str, str]:
    """The first-response limits of the deadline rules by priority, as the email says them:
    {"urgent": "2 小时", "medium": "6 小时", …} (an administrator's change shows at once)."""
    rules = {rule.key: rule for rule in DeadlineRule.objects.filter(key__in=RESPONSE_RULES.values())}  # one query
    times = {}
    for priority, key in RESPONSE_RULES.items():
        spec = RuleSpec.of_rule(rules[key])
        if spec.amount and spec.unit:
            times[priority] = f"{spec.amount} {Unit(spec.unit).label}"
        else:
            times[priority] = spec.describe()
    return times


def render_process_email(visit: FirstVisit) -> tuple[str, str]:
    """The service-process email (FV-4), in the company's language (the customer's, not the
    specialist's UI language)."""
    template = process_template()
    with translation.override(settings.LANGUAGE_CODE):
        context = Context(
            {
                "customer": visit.customer,
                "contact": main_contact(visit),
                "contract": visit.contract,
                "company": Company.objects.order_by("pk").first(),
                "response": response_times(),
            }
        )
        subject = Template(template.subject).render(context).strip().replace("\n", " ")
        return subject[:200], Template(template.body).render(context)


def send_process_email(visit: FirstVisit, *, by: User, now: datetime) -> FirstVisit:
    """Email the service process to the main contact from the editable template (FV-4).

    Through the outbox (sent once, retried by the worker); the email is kept on the customer
    care column.
    """
    with transaction.atomic():
        locked = _open(visit, by)
        contact = main_contact(locked)
        if contact is None or not contact.email:
            raise Invalid(NO_MAIN_CONTACT_EMAIL, field="contact.email")
        subject, body = render_process_email(locked)
        sent = Outbox.objects.filter(
            event="firstvisit.process_email", key__startswith=f"firstvisit.process_email:{locked.pk}:"
        ).count()
        # A customer contact has no login: addressed by email. Each send is an occurrence.
        outbox.enqueue(
            "firstvisit.process_email",
            locked,
            addresses=[contact.email],
            channels_=[Outbox.Channel.EMAIL],
            key=f"firstvisit.process_email:{locked.pk}:{sent + 1}",
            subject=subject,
            body=body,
            now=now,
        )
        FirstVisit.objects.filter(pk=locked.pk).update(process_email_sent_at=now)
        record(locked, "send_process_email", by=by, at=now, after=contact.email)
        timeline.add(
            locked.customer,
            "email",
            title=subject,
            body=str(EMAIL_TO % {"name": contact.name, "email": contact.email}) + "\n\n" + body,
            at=now,
            by=by,
            subject=locked,
        )
    visit.refresh_from_db()
    return visit


def record_need(visit: FirstVisit, *, department: Department, content: str, by: User, now: datetime) -> Need:
    """A need heard on the call, tagged with its department; due to its head by the next
    working day's start of work (FV-5)."""
    content = (content or "").strip()
    if not content:
        raise Invalid(NEED_CONTENT_REQUIRED, field="content")
    with transaction.atomic():
        locked = _open(visit, by)
        need = Need.objects.create(
            first_visit=locked,
            customer_id=locked.customer_id,
            department=department,
            content=content,
            recorded_by=by,
            recorded_at=now,
        )
        record(need, "record_need", by=by, at=now, after=department.name)
        clocks.start(need, "firstvisit.need_submit", owner=by, now=now, by=by)
        index(locked)
    return need


def submit_needs(visit: FirstVisit, *, by: User, now: datetime) -> list[Need]:
    """Submit every recorded need to its department's head (FV-5); one notification each."""
    require(by, "firstvisit.work", visit)
    with transaction.atomic():
        locked = FirstVisit.objects.select_for_update(of=("self",)).select_related("customer").get(pk=visit.pk)
        needs = list(
            Need.objects.select_for_update(of=("self",))
            .filter(first_visit=locked, status=Need.Status.RECORDED)
            .select_related("department__head")
        )
        if not needs:
            raise Invalid(NO_NEEDS_TO_SUBMIT)
        for need in needs:
            head = need.department.head
            if head is None:
                raise Invalid(DEPARTMENT_WITHOUT_HEAD % {"department": need.department.name})
            states.move(
                need,
                Need.Status.SUBMITTED,
                by=by,
                now=now,
                verb="submit_need",
                data={"to": head.pk},
                expected=Need.Status.RECORDED,
                submitted_to=head,
                submitted_at=now,
            )
            clocks.stop(need, "firstvisit.need_submit", now=now, by=by)
            outbox.enqueue(
                "firstvisit.need_submitted",
                need,
                to=[head],
                subject=str(_("客户需求：%(c)s") % {"c": locked.customer.name}),
                body=need.content,
                link=need.get_absolute_url(),
                now=now,
            )
        timeline.add(
            locked.customer,
            "first_visit",
            title=_("首访需求已提交各部门负责人"),
            body="\n".join(f"[{n.department.name}] {n.content}" for n in needs),
            at=now,
            by=by,
            subject=locked,
        )
    return needs


def complete(visit: FirstVisit, *, summary: str, by: User, now: datetime) -> FirstVisit:
    """Outcome: completed (FV-6). The first-visit clock is met."""
    with transaction.atomic():
        locked = _open(visit, by)
        if locked.process_explained_at is None:
            raise Invalid(PROCESS_NOT_EXPLAINED)
        states.move(
            locked,
            F.COMPLETED,
            by=by,
            now=now,
            verb="complete",
            expected=locked.status,
            completed_at=now,
            summary=(summary or "").strip(),
            next_attempt_at=None,
        )
        clocks.stop(locked, "firstvisit.call", now=now, by=by)
        clocks.stop(locked, "firstvisit.retry", now=now, by=by)
        timeline.add(
            locked.customer, "first_visit", title=_("首访完成"), body=locked.summary, at=now, by=by, subject=locked
        )
        index(locked)
    return locked


def not_completed(visit: FirstVisit, *, reason: str, next_attempt_at: datetime, by: User, now: datetime) -> FirstVisit:
    """Outcome: not completed, with reason and the next attempt, which gets its own clock (FV-6).

    The FV-2 week is not met by a failed call: its clock keeps running (and breaches if the week
    passes without a completed first visit)."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(REASON_REQUIRED, field="reason")
    if next_attempt_at is None or next_attempt_at <= now:
        raise Invalid(NEXT_ATTEMPT_REQUIRED, field="next_attempt_at")
    with transaction.atomic():
        locked = _open(visit, by)
        states.move(
            locked,
            F.RETRY,
            by=by,
            now=now,
            verb="not_completed",
            data={"reason": reason, "next_attempt_at": next_attempt_at.isoformat()},
            expected=locked.status,
            not_completed_reason=reason,
            next_attempt_at=next_attempt_at,
            attempts=locked.attempts + 1,
        )
        # A failed call does not meet FV-2: the week keeps running until a completed first
        # visit meets it; the agreed next attempt gets its own clock (FV-6).
        clocks.stop(locked, "firstvisit.retry", now=now, by=by)
        clocks.start(locked, "firstvisit.retry", owner=locked.specialist, now=next_attempt_at, by=by)
        timeline.add(
            locked.customer,
            "first_visit",
            title=_("首访未完成"),
            body=reason + "\n" + str(NEXT_ATTEMPT % {"at": f"{timezone.localtime(next_attempt_at):%Y-%m-%d %H:%M}"}),
            at=now,
            by=by,
            subject=locked,
        )
        index(locked)
    return locked


def update_template(template: EmailTemplate, *, subject: str, body: str, by: User, now: datetime) -> EmailTemplate:
    """Edit the service-process email (FV-4); the history keeps each version."""
    require(by, "firstvisit.change_template")
    try:
        Template(subject)
        Template(body)
    except Exception as exc:
        raise Invalid(_("模板语法有误：%(e)s") % {"e": exc}, field="body") from None
    with transaction.atomic():
        before = template.subject
        template.subject, template.body, template.updated_at, template.updated_by = subject, body, now, by
        template._history_user = by
        template._history_date = now
        template.save()
        record(template, "update", by=by, at=now, before=before[:100], after=subject[:100])
    return template
