from django.contrib import admin

from kefu.visits.models import EngineerGrade, ReturnVisit


@admin.register(EngineerGrade)
class EngineerGradeAdmin(admin.ModelAdmin):
    """Which engineers are 中高级 and so get the key/VIP inspections (RV-6)."""

    list_display = ["user", "grade"]
    raw_id_fields = ["user"]


@admin.register(ReturnVisit)
class ReturnVisitAdmin(admin.ModelAdmin):
    list_display = ["customer", "kind", "status", "planned_for", "assignee"]
    list_filter = ["kind", "status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
