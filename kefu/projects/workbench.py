"""实施项目 on the workbench (PRJ-4..PRJ-7): the open clocks and the steps waiting for the user.

Staff (PM, consultant, director): logs past their confirmation clock, phase results to review,
issues they own (late ones counted apart), acceptances to evaluate, project approvals waiting
for them. The customer: logs to confirm, plans and phase results to sign, acceptances to evaluate.
Each item is a count and a link; an item with nothing in it is left out.
"""

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.approvals.models import ApprovalStep
from kefu.deadlines.models import OPEN_STATES, Clock
from kefu.projects import selectors, workflow
from kefu.projects.models import Acceptance, DailyLog, Issue, Phase, PlanVersion

CHAINS = (workflow.TASK_BOOK_CHAIN, workflow.PAUSE_CHAIN, workflow.TERMINATE_CHAIN)


def _item(key, label, count, url, late=0) -> dict:
    return {"key": key, "label": label, "count": count, "url": url, "late": late}


def customer_items(user) -> list[dict]:
    projects = selectors.projects_for(user)
    listing = reverse("projects:list")
    return [
        _item(
            "confirm_logs",
            _("待确认的实施日志"),
            selectors.logs_for(user, status=DailyLog.Status.SUBMITTED).count(),
            reverse("projects:logs") + "?status=submitted",
        ),
        _item(
            "sign_plans",
            _("待签字的实施计划"),
            PlanVersion.objects.filter(project__in=projects, status=PlanVersion.Status.SENT).count(),
            listing,
        ),
        _item(
            "sign_phases",
            _("待签字的阶段成果"),
            Phase.objects.filter(project__in=projects, status=Phase.Status.REVIEWED).count(),
            listing,
        ),
        _item(
            "evaluate",
            _("待评估的验收"),
            Acceptance.objects.filter(
                project__in=projects, status=Acceptance.Status.EVALUATING, customer_passed=None
            ).count(),
            listing,
        ),
    ]


def staff_items(user, now) -> list[dict]:
    mine = selectors.projects_for(user, view="mine", now=now)
    managed = mine.filter(manager=user)
    issue_type = ContentType.objects.get_for_model(Issue)
    my_issues = Clock.objects.filter(
        content_type=issue_type, rule__key=workflow.ISSUE_RULE, state__in=OPEN_STATES, owner=user
    )
    return [
        _item(
            "overdue_logs",
            _("逾期未确认的日志"),
            selectors.logs_for(user, overdue=True, now=now).filter(project__in=mine).count(),
            reverse("projects:logs") + "?overdue=1",
            late=1,
        ),
        _item(
            "review_phases",
            _("待审核的阶段成果"),
            Phase.objects.filter(project__in=managed, status=Phase.Status.SUBMITTED).count(),
            reverse("projects:list") + "?view=mine",
        ),
        _item(
            "issues",
            _("我负责的项目问题"),
            my_issues.count(),
            reverse("projects:list") + "?view=mine",
            late=my_issues.filter(due_at__lt=now).count(),
        ),
        _item(
            "evaluate",
            _("待我评估的验收"),
            Acceptance.objects.filter(project__in=managed, status=Acceptance.Status.EVALUATING, pm_passed=None).count(),
            reverse("projects:list") + "?view=mine",
        ),
        _item(
            "approvals",
            _("待我审批（任务书、暂停、终止）"),
            ApprovalStep.objects.filter(
                deciders=user, status=ApprovalStep.Status.PENDING, approval__chain__in=CHAINS
            ).count(),
            reverse("approvals:inbox"),
        ),
    ]


def panel(request) -> dict | None:
    user = request.user
    if not user.is_authenticated or not user.has_perm("projects.view_list"):
        return None
    now = timezone.now()
    items = customer_items(user) if user.is_customer_user else staff_items(user, now)
    items = [i for i in items if i["count"]]
    if not items:
        return None
    return {"title": _("实施项目"), "template": "projects/workbench_panel.html", "items": items, "now": now}
