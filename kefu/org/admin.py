from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from kefu.core.errors import KefuError
from kefu.org import workflow
from kefu.org.models import ApiToken, Company, Department, Region, Station, User


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
    actions = ["deactivate_users"]

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: a user's history must stay attributable

    @admin.action(description=_("停用所选用户（结束其会话和 API 令牌）"))
    def deactivate_users(self, request, queryset):
        done = 0
        for user in queryset.filter(is_active=True):
            try:
                workflow.deactivate_user(user, by=request.user, reason=str(_("在管理后台停用")), now=timezone.now())
            except KefuError as exc:
                self.message_user(request, f"{user}: {exc.message}", messages.ERROR)
            else:
                done += 1
        self.message_user(request, _("已停用 %(n)d 个用户。") % {"n": done}, messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Who holds which API token; an administrator can revoke one (delete). Never the secret."""

    list_display = ("prefix", "user", "client", "created", "last_used_at", "expiry")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__name", "client")
    fields = ("user", "prefix", "client", "created", "last_used_at", "expiry")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # a token is issued to whoever gives the password: POST /api/auth/token/

    def has_change_permission(self, request, obj=None):
        return False


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
