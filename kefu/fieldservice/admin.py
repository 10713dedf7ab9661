from django.contrib import admin

from kefu.fieldservice.models import EngineerProfile, QASample, WorkOrder


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    """Read-only: every change goes through kefu.fieldservice.workflow."""

    list_display = ("number", "customer", "status", "engineer", "appointment_start")
    list_filter = ("status",)
    search_fields = ("number", "customer__name")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EngineerProfile)
class EngineerProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "skills", "region")
    raw_id_fields = ("user", "region")


@admin.register(QASample)
class QASampleAdmin(admin.ModelAdmin):
    list_display = ("week", "sheet", "proposed", "verdict", "reviewer")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
