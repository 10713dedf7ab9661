from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kefu.deadlines.models import (
    CalendarDay,
    Clock,
    DeadlineRule,
    EscalationLevel,
    ScanRun,
    WorkCalendar,
    WorkingInterval,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Edits go through the calendar and rule pages (workflow: audit, version, recompute)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class IntervalInline(admin.TabularInline):
    model = WorkingInterval
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WorkCalendar)
class WorkCalendarAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "tz", "observes_holidays", "version", "updated_at")
    inlines = [IntervalInline]


@admin.register(CalendarDay)
class CalendarDayAdmin(ReadOnlyAdmin):
    list_display = ("calendar", "date", "kind", "name", "source")
    list_filter = ("calendar", "kind", "source")
    date_hierarchy = "date"


class EscalationInline(admin.TabularInline):
    model = EscalationLevel
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ("key", "requirement", "name_zh", "kind", "amount", "unit", "calendar", "enabled", "customized")
    list_filter = ("kind", "calendar", "enabled")
    search_fields = ("key", "name_zh", "name_en", "requirement")
    list_select_related = ("calendar",)
    inlines = [EscalationInline]


@admin.register(Clock)
class ClockAdmin(ReadOnlyAdmin):
    list_display = ("id", "rule", "owner", "state", "started_at", "due_at", "breached_at", "met_at")
    list_filter = ("state", "kind")
    list_select_related = ("rule", "owner")
    raw_id_fields = ("owner", "rule")
    show_full_result_count = False


@admin.register(ScanRun)
class ScanRunAdmin(ReadOnlyAdmin):
    """Every tick of the breach scan for the last week: when, on which worker, what it did."""

    list_display = ("started_at", "finished_at", "worker", "breached", "warned", "escalated", "task_id")
    list_filter = ("worker",)
