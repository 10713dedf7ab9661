"""Pages of the deadline engine: calendars and rules (administrators), clocks (everyone).

Thin: each view reads through a selector or calls one workflow function.
"""

from datetime import date, datetime, timedelta
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kefu.core.actions import act
from kefu.core.errors import Invalid
from kefu.deadlines import calendars, selectors, tables, workflow
from kefu.deadlines.forms import DayForm, EscalationFormSet, HoursForm, RuleForm, YearForm
from kefu.deadlines.models import KIND_CHOICES, OPEN_STATES, WEEKDAY_LABELS, ClockState, WorkCalendar

PANEL_LIMIT = 50
DAY_SAVED = _("%(day)s 已设为%(what)s，相关计时将在后台重新计算。")
HOURS_SAVED = _("工作时段已保存，相关计时将在后台重新计算。")
YEAR_IMPORTED = _("已导入 %(year)s 年节假日安排（%(n)s 天）。")
YEAR_CONFIRMED = _("%(year)s 年的安排已确认为正式安排。")
RULE_SAVED = _("时限规则已保存，对此后开始的计时生效。")
FORM_ERRORS = _("请修正下面标出的错误。")
WORKDAY = _("工作日")
DAY_OFF = _("休息日")


# --- workbench ---------------------------------------------------------------------------------


def _filters(request) -> dict:
    return tables.filters_of(request.user, request.GET)


def _rule_choices(clocks, filters: dict) -> list[tuple[str, str]]:
    """The rules of the clocks on screen (no extra query), plus the one filtered on."""
    choices = {c.rule.key: c.rule.name for c in clocks}
    if filters["rule"] and filters["rule"] not in choices:
        choices[filters["rule"]] = filters["rule"]
    return sorted(choices.items())


def workbench_panel(request) -> dict | None:
    """The workbench panel (RPT-1): my open clocks by due time, the team's for a manager."""
    user = request.user
    if not user.is_authenticated or user.is_customer_user:
        return None
    now = timezone.now()
    filters = _filters(request)
    clocks = selectors.decorate(selectors.rows(selectors.clocks_for(user, **filters), limit=PANEL_LIMIT + 1), now)
    return {
        "title": _("我的时限"),
        "template": "deadlines/workbench_panel.html",
        "clocks": clocks[:PANEL_LIMIT],
        "more": len(clocks) > PANEL_LIMIT,
        "filters": filters,
        "rule_choices": _rule_choices(clocks, filters),
        "can_see_team": selectors.can_see_team(user),
        "kinds": KIND_CHOICES,
        "now": now,
    }


@login_required
def clock_list(request):
    """All my open clocks (or my team's), filterable, paginated."""
    now = timezone.now()
    filters = _filters(request)
    listing = tables.CLOCKS.listing(request, now=now)
    return render(
        request,
        "deadlines/clock_list.html",
        {
            "listing": listing,
            "now": now,
            "filters": filters,
            "rule_choices": _rule_choices(listing.page.object_list, filters),
            "can_see_team": selectors.can_see_team(request.user),
            "kinds": KIND_CHOICES,
            "states": [s for s in ClockState if s in OPEN_STATES],
        },
    )


# --- calendars ---------------------------------------------------------------------------------


@login_required
@permission_required("deadlines.view_calendar", raise_exception=True)
def calendar_list(request):
    return render(request, "deadlines/calendar_list.html", {"listing": tables.CALENDARS.listing(request)})


def _month(request) -> tuple[int, int]:
    raw = request.GET.get("month") or request.POST.get("month") or ""
    try:
        value = datetime.strptime(raw, "%Y-%m")  # noqa: DTZ007 -- a month, not an instant
        return value.year, value.month
    except ValueError:
        today = timezone.localdate()
        return today.year, today.month


@login_required
@permission_required("deadlines.view_calendar", raise_exception=True)
def calendar_detail(request, code):
    calendar = selectors.work_calendar(code)
    year, month = _month(request)
    first = date(year, month, 1)
    previous = first - timedelta(days=1)
    following = first + timedelta(days=32)
    snap = calendars.snapshot(calendar)
    package_years = calendars.package_years()
    return render(
        request,
        "deadlines/calendar_detail.html",
        {
            "calendar": calendar,
            "weeks": selectors.month_weeks(calendar, year, month),
            "weekday_labels": WEEKDAY_LABELS,
            "month": first,
            "previous": f"{previous:%Y-%m}",
            "following": f"{following:%Y-%m}",
            "hours_form": HoursForm(weekly=snap.weekly),
            "provisional": calendar.is_provisional_year(year),
            "year": year,
            "next_year": timezone.localdate().year + 1,
            "package_last_year": package_years[-1] if package_years else None,
            "can_change": request.user.has_perm("deadlines.change_calendar", calendar),
        },
    )


def _month_url(code: str, month: str | None = None) -> str:
    """The calendar's page, at `month` (YYYY-MM) when given."""
    url = reverse("deadlines:calendar_detail", args=[code])
    return url if month is None else f"{url}?month={quote(month)}"


@login_required
@permission_required("deadlines.change_calendar", raise_exception=True)
@require_POST
def calendar_day(request, code, day):
    """Toggle a day between working day and day off (htmx: answers the new cell)."""
    calendar = selectors.work_calendar(code)
    try:
        day = date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    if request.htmx:

        def cell(row):
            calendar.refresh_from_db()
            cell = selectors.days_between(calendar, day, day, month=day.month)[0]
            return render(request, "deadlines/_day_cell.html", {"cell": cell, "calendar": calendar, "can_change": True})

        return act(
            request,
            workflow.toggle_day,
            calendar,
            day,
            form=DayForm(request.POST),
            then=cell,
            again=lambda exc: HttpResponse(str(exc.message), status=exc.status),
        )
    return act(
        request,
        workflow.toggle_day,
        calendar,
        day,
        form=DayForm(request.POST),
        done=lambda row: DAY_SAVED % {"day": day.isoformat(), "what": WORKDAY if row.kind == "workday" else DAY_OFF},
        then=_month_url(code, f"{day:%Y-%m}"),
    )


@login_required
@permission_required("deadlines.change_calendar", raise_exception=True)
@require_POST
def calendar_hours(request, code):
    calendar = selectors.work_calendar(code)
    back = _month_url(code, request.POST.get("month", ""))
    return act(request, workflow.set_hours, calendar, form=HoursForm(request.POST), done=HOURS_SAVED, then=back)


def _year_action(request, code, fn, said):
    """Import or confirm a year's schedule; the month page of that year, whatever happened."""
    calendar = selectors.work_calendar(code)
    form = YearForm(request.POST)
    back = _month_url(code, f"{form.cleaned_data['year']}-01") if form.is_valid() else _month_url(code)
    return act(
        request, fn, calendar, form=form, done=lambda result: said % {**form.cleaned_data, "n": result}, then=back
    )


@login_required
@permission_required("deadlines.change_calendar", raise_exception=True)
@require_POST
def calendar_import(request, code):
    return _year_action(request, code, workflow.import_year, YEAR_IMPORTED)


@login_required
@permission_required("deadlines.change_calendar", raise_exception=True)
@require_POST
def calendar_confirm(request, code):
    return _year_action(request, code, workflow.confirm_year, YEAR_CONFIRMED)


# --- rules -------------------------------------------------------------------------------------


@login_required
@permission_required("deadlines.view_rule_list", raise_exception=True)
def rule_list(request):
    return render(request, "deadlines/rule_list.html", {"listing": tables.RULES.listing(request)})


@login_required
@permission_required("deadlines.view_rule_list", raise_exception=True)
def rule_edit(request, key):
    rule = selectors.rule(key)
    can_change = request.user.has_perm("deadlines.change_rule", rule)
    initial_levels = [{"offset_minutes": e.offset_minutes, "notify": e.notify} for e in rule.escalations.all()]
    if request.method == "POST" and can_change:
        form = RuleForm(request.POST, instance=selectors.rule(key))
        levels = EscalationFormSet(request.POST, prefix="levels", initial=initial_levels)
    else:
        form = RuleForm(instance=rule)
        levels = EscalationFormSet(prefix="levels", initial=initial_levels)

    def page(exc=None):
        if exc is not None:
            messages.error(request, FORM_ERRORS)
        calendar_codes = {str(c.pk): c.code for c in WorkCalendar.objects.all()}
        return render(
            request,
            "deadlines/rule_edit.html",
            {
                "rule": rule,
                "form": form,
                "levels": levels,
                "can_change": can_change,
                "calendar_codes": calendar_codes,
                "preview_start": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            },
        )

    if not (request.method == "POST" and can_change):
        return page()
    if not levels.is_valid():
        form.is_valid()  # its errors show beside the levels'
        return page(Invalid(FORM_ERRORS))
    wanted = [
        (f.cleaned_data["offset_minutes"], f.cleaned_data["notify"])
        for f in levels.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]
    return act(
        request,
        workflow.save_rule,
        rule,
        form=form,
        levels=wanted,
        done=RULE_SAVED,
        then=reverse("deadlines:rule_edit", args=[key]),
        again=page,
    )
