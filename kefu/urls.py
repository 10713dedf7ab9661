from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from kefu.api import router
from kefu.core import api as core_api
from kefu.core import health
from kefu.org import api as org_api
from kefu.org import views as org_views
from kefu.shell import views as shell_views

admin.site.site_header = "Kefu 客服管理系统"
admin.site.site_title = "Kefu"

urlpatterns = [
    path("", shell_views.workbench, name="workbench"),
    path("healthz", health.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", org_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(success_url="/profile/"), name="password_change"),
    path("profile/", shell_views.profile, name="profile"),
    path("profile/tokens/", org_views.token_list, name="tokens"),
    path("profile/tokens/<int:pk>/revoke/", org_views.token_revoke, name="token_revoke"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("org/", include("kefu.org.urls")),
    path("notifications/", include("kefu.notify.urls")),
    path("deadlines/", include("kefu.deadlines.urls")),
    path("approvals/", include("kefu.approvals.urls")),
    path("customers/", include("kefu.customers.urls")),
    path("first-visits/", include("kefu.firstvisit.urls")),
    path("plans/", include("kefu.plans.urls")),
    path("projects/", include("kefu.projects.urls")),
    path("visits/", include("kefu.visits.urls")),
    path("complaints/", include("kefu.complaints.urls")),
    path("kb/", include("kefu.knowledge.urls")),
    path("surveys/", include("kefu.surveys.urls")),
    path("servicedesk/", include("kefu.servicedesk.urls")),
    path("fieldservice/", include("kefu.fieldservice.urls")),
    path("files/", include("kefu.documents.urls")),
    path("portal/requests/", include("kefu.servicedesk.portal_urls")),
    path("exports/", include("kefu.shell.export_urls")),
    path("reports/", include("kefu.reports.urls")),
    path("kpi/", include("kefu.kpi.urls")),
    path("problems/", include("kefu.problems.urls")),
    path("feedback/", include("kefu.feedback.urls")),
    path("admin/", admin.site.urls),
    path("api/auth/token/", org_api.ObtainToken.as_view(), name="api-token"),
    path("api/auth/logout/", org_api.Logout.as_view(), name="api-logout"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/", include("kefu.deadlines.api_urls")),
    path("api/", include("kefu.surveys.api_urls")),
    path("api/", include(router.urls)),
    # Anything else under /api/ is a JSON 404 like every other API error, never an HTML page.
    re_path(r"^api/", core_api.not_found),
]
