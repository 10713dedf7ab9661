"""The project lists (PRJ-8, RPT-4), each declared once for its page and its Excel export:
projects (director: all, by status, late milestones, unconfirmed logs, paused; PM and
consultants: mine; customer: its own), task books, daily logs."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.core.tables import Column, Table
from kefu.projects import selectors
from kefu.projects.models import DailyLog, Phase, Project, TaskBook

VIEW_LABELS = {
    "": _("全部项目"),
    "mine": _("我的项目"),
    "late": _("里程碑延期"),
    "unconfirmed": _("日志逾期未确认"),
    "paused": _("已暂停"),
}


def _progress(project) -> str:
    done, total = getattr(project, "phases_done", 0), getattr(project, "phases_total", 0)
    return f"{done}/{total}" if total else "—"


class ProjectTable(Table):
    name = "projects:list"
    title = _("实施项目")
    permission = "projects.view_list"
    testid = "project-table"
    empty = _("暂无实施项目")
    stack = True
    columns = (
        Column("number", _("项目编号"), link=lambda p: reverse("projects:detail", args=[p.pk]), css="text-nowrap"),
        Column("name", _("项目名称")),
        Column("customer", _("客户"), value="customer.name"),
        Column("manager", _("项目经理"), value=lambda p: p.manager.display_name if p.manager_id else ""),
        Column("progress", _("阶段进度"), value=_progress),
        Column.status(),
        Column("started_at", _("开始实施"), kind="datetime", page=False),
        Column("accepted_at", _("验收通过"), kind="datetime", page=False),
        Column("created_at", _("立项时间"), kind="datetime"),
    )

    def rows(self, user, params):
        view = params.get("view", "")
        status = params.get("status", "")
        return selectors.projects_for(
            user,
            status=status if status in Project.Status.values else "",
            view=view if view in selectors.VIEWS else "",
        )

    def decorate(self, rows, user, **known) -> None:
        ids = [p.pk for p in rows]
        if not ids:
            return
        counts = {
            row["project"]: row
            for row in Phase.objects.filter(project__in=ids)
            .values("project")
            .annotate(total=Count("id"), done=Count("id", filter=Q(status=Phase.Status.DONE)))
        }
        for p in rows:
            c = counts.get(p.pk, {})
            p.phases_total, p.phases_done = c.get("total", 0), c.get("done", 0)


class TaskBookTable(Table):
    name = "projects:taskbooks"
    title = _("实施任务书")
    permission = "projects.view_taskbooks"
    testid = "taskbook-table"
    empty = _("暂无实施任务书")
    columns = (
        Column("number", _("编号"), link=lambda b: reverse("projects:taskbook", args=[b.pk]), css="text-nowrap"),
        Column("title", _("项目名称")),
        Column("customer", _("客户"), value="customer.name"),
        Column("contract", _("合同"), value="contract.number"),
        Column("signer", _("签约人"), value="signer.display_name"),
        Column.status(),
        Column("created_at", _("填写时间"), kind="datetime"),
    )

    def rows(self, user, params):
        status = params.get("status", "")
        return selectors.task_books_for(user, status=status if status in TaskBook.Status.values else "")


class LogTable(Table):
    name = "projects:logs"
    title = _("实施日志")
    permission = "projects.view_list"
    testid = "log-table"
    empty = _("暂无实施日志")
    stack = True
    columns = (
        Column("day", _("日期"), kind="date", link=lambda log: reverse("projects:log", args=[log.project_id, log.pk])),
        Column("project", _("项目"), value="project.name"),
        Column("site", _("实施地点")),
        Column("author", _("顾问"), value="author.display_name"),
        Column("hours", _("工时"), kind="number", value=lambda log: float(log.hours)),
        Column("work_done", _("工作内容"), page=False),
        Column.status(),
        Column("confirmed_by_name", _("确认人"), page=False),
        Column("confirmed_at", _("确认时间"), kind="datetime", page=False),
    )

    def rows(self, user, params):
        status = params.get("status", "")
        return selectors.logs_for(
            user,
            status=status if status in DailyLog.Status.values else "",
            overdue=params.get("overdue") == "1",
        )


PROJECTS, TASK_BOOKS, LOGS = ProjectTable(), TaskBookTable(), LogTable()
LISTS = (PROJECTS, TASK_BOOKS, LOGS)
