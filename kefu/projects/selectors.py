"""Scoped reads of implementation projects (PRJ-8): every list and page goes through these."""

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import BigIntegerField, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404
from django.utils import timezone

from kefu.deadlines.models import OPEN_STATES, Clock
from kefu.projects.models import DailyLog, Milestone, Project, TaskBook

LOG_RULE = "project.log_confirm"
VIEWS = ("mine", "late", "unconfirmed", "paused")


def overdue_log_ids(now: datetime) -> QuerySet:
    """Ids of the logs whose confirmation is past its N working days (the clock is past due)."""
    return Clock.objects.filter(
        content_type=ContentType.objects.get_for_model(DailyLog),
        rule__key=LOG_RULE,
        state__in=OPEN_STATES,
        due_at__lt=now,
    ).values(log_id=Cast("object_id", BigIntegerField()))


def projects_for(user, *, status: str = "", view: str = "", now: datetime | None = None) -> QuerySet:
    qs = Project.objects.visible_to(user)
    now = now or timezone.now()
    if status:
        qs = qs.filter(status=status)
    if view == "mine":
        qs = qs.filter(Q(manager=user) | Q(team__user=user)).distinct()
    elif view == "late":
        late = Milestone.objects.filter(project=OuterRef("pk"), reached_on=None, due_on__lt=timezone.localdate(now))
        qs = qs.filter(Exists(late))
    elif view == "unconfirmed":
        logs = DailyLog.objects.filter(
            project=OuterRef("pk"), status=DailyLog.Status.SUBMITTED, pk__in=overdue_log_ids(now)
        )
        qs = qs.filter(Exists(logs))
    elif view == "paused":
        qs = qs.filter(status=Project.Status.PAUSED)
    return qs.select_related("customer", "manager").order_by("-id")


def project_for(user, pk) -> Project:
    return get_object_or_404(
        Project.objects.visible_to(user).select_related("customer", "contract", "manager", "task_book"), pk=pk
    )


def task_books_for(user, *, status: str = "") -> QuerySet:
    qs = TaskBook.objects.visible_to(user)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("customer", "contract", "signer").order_by("-id")


def task_book_for(user, pk) -> TaskBook:
    return get_object_or_404(
        TaskBook.objects.visible_to(user).select_related("customer", "contract", "signer", "manager", "need"), pk=pk
    )


def logs_for(user, *, project: Project | None = None, status: str = "", overdue: bool = False, now=None) -> QuerySet:
    qs = DailyLog.objects.visible_to(user)
    if project is not None:
        qs = qs.filter(project=project)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(status=DailyLog.Status.SUBMITTED, pk__in=overdue_log_ids(now or timezone.now()))
    return qs.select_related("project", "author").order_by("-day", "-id")


def may_see(user, obj) -> bool:
    """Who may see an attachment of a project or of something in it: who may see the project."""
    project = obj if isinstance(obj, Project) else getattr(obj, "project", None)
    return project is not None and Project.objects.visible_to(user).filter(pk=project.pk).exists()


def may_see_task_book(user, book) -> bool:
    return TaskBook.objects.visible_to(user).filter(pk=book.pk).exists()


def hours_by_consultant(project: Project) -> list[dict]:
    """Hours per consultant: only confirmed logs count (PRJ-4), the unconfirmed shown apart."""
    rows = (
        DailyLog.objects.filter(project=project)
        .values("author", "author__name", "author__username")
        .annotate(
            confirmed=Sum("hours", filter=Q(status=DailyLog.Status.CONFIRMED)),
            pending=Sum("hours", filter=Q(status=DailyLog.Status.SUBMITTED)),
        )
        .order_by("author__name")
    )
    return [
        {
            "consultant": r["author__name"] or r["author__username"],
            "confirmed": r["confirmed"] or 0,
            "pending": r["pending"] or 0,
        }
        for r in rows
    ]
