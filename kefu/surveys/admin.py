from django.contrib import admin

from kefu.surveys.models import Rectification, Survey


class ReadOnly(admin.ModelAdmin):
    """Surveys and rectifications change only through the workflow."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Survey)
class SurveyAdmin(ReadOnly):
    list_display = ["id", "customer", "subject_label", "served_by", "status", "rating", "answered_at"]
    list_filter = ["status", "channel"]
    list_select_related = ["customer", "served_by"]


@admin.register(Rectification)
class RectificationAdmin(ReadOnly):
    list_display = ["id", "customer", "owner", "status", "created_at", "done_at"]
    list_filter = ["status"]
    list_select_related = ["customer", "owner"]
