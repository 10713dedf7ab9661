from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from kefu.org.models import Company, Department, Region, Station, User


class NoHardDeleteAdmin(SimpleHistoryAdmin):
    """Business records are retired through their workflow (with a reason), never deleted here."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Kefu"), {"fields": ("name", "mobile", "employee_no", "department", "station", "manager", "calendar")}),
    )
    list_display = ("username", "name", "employee_no", "department", "station", "is_active")
    list_select_related = ("department", "station")
    search_fields = ("username", "name", "employee_no", "mobile")

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: a user's history must stay attributable


@admin.register(Company)
class CompanyAdmin(NoHardDeleteAdmin):
    list_display = ("name", "short_name", "kind", "hotline")


@admin.register(Department)
class DepartmentAdmin(NoHardDeleteAdmin):
    list_display = ("code", "name", "head", "deleted_at")
    list_select_related = ("head",)


@admin.register(Station)
class StationAdmin(NoHardDeleteAdmin):
    list_display = ("code", "name", "region", "phone", "deleted_at")
    list_select_related = ("region",)
    filter_horizontal = ("regions",)
    search_fields = ("code", "name")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    list_select_related = ("parent",)

    def has_delete_permission(self, request, obj=None):
        return False
