"""The deadline engine's lists, declared once for their page and their Excel export (RPT-1, RPT-4):
my (or my team's) open clocks, the rule table and the calendars."""

from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from kefu.core.tables import Column, Table
from kefu.deadlines import selectors
from kefu.deadlines.models import KIND_CHOICES, Clock, ClockState, WorkCalendar
from kefu.deadlines.spec import RuleSpec
from kefu.deadlines.templatetags.deadlines_tags import countdown

YES, NO = _("是"), _("否")
ENABLED, DISABLED, CUSTOMIZED = _("启用"), _("停用"), _("已修改")


def filters_of(user, params) -> dict:
    """The clock filters of the workbench panel and the clock list (a team only for a manager)."""
    kind = params.get("clock_kind") or None
    rule = params.get("clock_rule") or None
    team = params.get("clock_scope") == "team" and selectors.can_see_team(user)
    return {"kind": kind, "rule": rule, "team": team}


# --- clocks ------------------------------------------------------------------------------------


def _rule_cell(clock) -> str:
    return format_html('{}<div class="small text-secondary">{}</div>', clock.rule.name, clock.rule.requirement)


def _subject_cell(clock) -> str:
    if clock.subject_url:
        return format_html('<a href="{}">{}</a>', clock.subject_url, clock.subject)
    return format_html("{}", clock.subject or "—")


def _countdown_cell(clock) -> str:
    due = date_format(timezone.localtime(clock.due_at), "c")
    return format_html(
        '<span class="countdown {}" data-due="{}" data-state="{}">{}</span>',
        clock.urgency,
        due,
        clock.state,
        clock.countdown,
    )


class ClockTable(Table):
    name = "deadlines:clock_list"
    title = _("我的时限")
    testid = "clock-table"
    empty = _("暂无进行中的时限")
    per_page = 50
    stack = True
    ids_first = True  # the page's ids from the (owner, state, due_at, id) index, then those rows
    columns = (
        Column("rule", _("时限"), value="rule.name", cell=_rule_cell),
        Column("requirement", _("需求编号"), value="rule.requirement", page=False),
        Column("subject", _("对象"), value=lambda c: str(c.subject) if c.subject else "", cell=_subject_cell),
        Column("owner", _("负责人"), value=lambda c: c.owner.display_name if c.owner else ""),
        Column("kind", _("计时类型"), value="kind_label", page=False),
        Column("started_at", _("开始时间"), kind="datetime", page=False),
        Column("due_at", _("截止时间"), kind="datetime", css="text-nowrap"),
        Column("countdown", _("倒计时"), cell=_countdown_cell, css="text-nowrap"),
        Column("state", _("状态"), choices=ClockState, page=False),
    )

    def page_columns(self, user, params):
        # The owner column is for a team's clocks; my own are all mine.
        team = filters_of(user, params)["team"]
        return [c for c in super().page_columns(user, params) if team or c.key != "owner"]

    def rows(self, user, params):
        return selectors.clocks_for(user, **filters_of(user, params))

    @staticmethod
    def refetch(ids):
        return selectors.with_rows(Clock.objects.filter(pk__in=ids))

    def export_rows(self, rows):
        return selectors.with_rows(rows)

    def row_attrs(self, row):
        return {**super().row_attrs(row), "data-rule": row.rule.key, "data-kind": row.kind}

    def decorate(self, rows, user, now=None) -> None:
        now = now or timezone.now()
        kinds = {k: str(label) for k, label in KIND_CHOICES}
        selectors.decorate(rows, now)
        for clock in rows:
            clock.countdown = countdown(clock, now)
            clock.kind_label = kinds.get(clock.kind, clock.kind)


CLOCKS = ClockTable()


# --- rules -------------------------------------------------------------------------------------


def _rule_name_cell(rule) -> str:
    return format_html(
        '<a href="{}">{}</a><div class="small text-secondary">{}</div>',
        reverse("deadlines:rule_edit", args=[rule.key]),
        rule.name,
        rule.key,
    )


def _escalations_cell(rule) -> str:
    levels = list(rule.escalations.all())
    if not levels:
        return "—"
    return format_html_join(mark_safe("<br>"), "{}", ((level,) for level in levels))


def _rule_state_cell(rule) -> str:
    badge = (
        format_html('<span class="badge bg-green-lt">{}</span>', ENABLED)
        if rule.enabled
        else format_html('<span class="badge bg-secondary-lt">{}</span>', DISABLED)
    )
    if rule.customized:
        return format_html('{} <span class="badge bg-azure-lt">{}</span>', badge, CUSTOMIZED)
    return badge


class RuleTable(Table):
    name = "deadlines:rule_list"
    title = _("时限规则")
    permission = "deadlines.view_rule_list"
    testid = "rule-table"
    empty = _("暂无时限规则")
    per_page = 500  # the whole table on one page, as an administrator reads it
    columns = (
        Column("requirement", _("需求编号"), css="text-nowrap"),
        Column("name", _("名称"), cell=_rule_name_cell),
        Column("key", _("规则键"), page=False),
        Column("description", _("时限")),
        Column("calendar", _("工作日历"), value="calendar.code"),
        Column(
            "escalations",
            _("升级"),
            value=lambda r: "\n".join(str(level) for level in r.escalations.all()),
            cell=_escalations_cell,
            css="small",
        ),
        Column("enabled", _("状态"), value=lambda r: ENABLED if r.enabled else DISABLED, cell=_rule_state_cell),
        Column("customized", _("已修改"), value=lambda r: YES if r.customized else NO, page=False),
    )

    def rows(self, user, params):
        return selectors.rules()

    def row_attrs(self, row):
        return {**super().row_attrs(row), "data-key": row.key}

    def decorate(self, rows, user, **known) -> None:
        for rule in rows:
            rule.description = RuleSpec.of_rule(rule).describe()


RULES = RuleTable()


# --- calendars ---------------------------------------------------------------------------------


class CalendarTable(Table):
    name = "deadlines:calendar_list"
    title = _("工作日历")
    permission = "deadlines.view_calendar"
    testid = "calendar-table"
    empty = _("暂无工作日历")
    per_page = 100
    columns = (
        Column("code", _("代码"), link=lambda c: reverse("deadlines:calendar_detail", args=[c.code])),
        Column("name", _("名称")),
        Column("tz", _("时区")),
        Column("observes_holidays", _("执行法定节假日"), value=lambda c: YES if c.observes_holidays else NO),
        Column("version", _("版本"), kind="number"),
    )

    def rows(self, user, params):
        return WorkCalendar.objects.order_by("code")


CALENDARS = CalendarTable()
