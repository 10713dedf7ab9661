"""The API router: every domain registers its viewsets here (NT-2)."""

from kefu.approvals.api import ApprovalViewSet
from kefu.complaints.api import ComplaintViewSet, CorrectiveActionViewSet, MonthlyReportViewSet
from kefu.core.api import Router
from kefu.customers.api import ContactViewSet, ContractViewSet, CustomerViewSet, DeviceViewSet
from kefu.deadlines.api import DeadlineRuleViewSet, WorkbenchViewSet
from kefu.fieldservice.api import QASampleViewSet, WorkOrderViewSet
from kefu.firstvisit.api import FirstVisitViewSet, NeedViewSet
from kefu.knowledge.api import ArticleViewSet
from kefu.notify.api import NotificationViewSet
from kefu.org.api import ApiTokenViewSet, DepartmentViewSet, RegionViewSet, StationViewSet, UserViewSet
from kefu.plans.api import ServicePlanViewSet
from kefu.projects.api import (
    AcceptanceViewSet,
    DailyLogViewSet,
    PhaseViewSet,
    ProjectViewSet,
    TaskBookViewSet,
)
from kefu.servicedesk.api import CallLogViewSet, DutyViewSet, HotlineRecordViewSet, RequestViewSet
from kefu.surveys.api import RectificationViewSet, SurveyViewSet
from kefu.visits.api import ReturnVisitViewSet

router = Router()
router.register("users", UserViewSet, basename="user")
router.register("auth/tokens", ApiTokenViewSet, basename="api-token-own")
router.register("stations", StationViewSet, basename="station")
router.register("departments", DepartmentViewSet, basename="department")
router.register("regions", RegionViewSet, basename="region")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("deadlines/rules", DeadlineRuleViewSet, basename="deadline-rule")
router.register("workbench", WorkbenchViewSet, basename="workbench")
router.register("approvals", ApprovalViewSet, basename="approval")
router.register("customers", CustomerViewSet, basename="customer")
router.register("contacts", ContactViewSet, basename="contact")
router.register("contracts", ContractViewSet, basename="contract")
router.register("devices", DeviceViewSet, basename="device")
router.register("first-visits", FirstVisitViewSet, basename="first-visit")
router.register("needs", NeedViewSet, basename="need")
router.register("plans", ServicePlanViewSet, basename="plan")
router.register("visits", ReturnVisitViewSet, basename="visit")
router.register("kb/articles", ArticleViewSet, basename="kb-article")
router.register("surveys/rectifications", RectificationViewSet, basename="rectification")
router.register("surveys", SurveyViewSet, basename="survey")
router.register("requests", RequestViewSet, basename="service-request")
router.register("hotline/records", HotlineRecordViewSet, basename="hotline-record")
router.register("duty", DutyViewSet, basename="duty-shift")
router.register("calls", CallLogViewSet, basename="call-log")
router.register("work-orders", WorkOrderViewSet, basename="work-order")
router.register("qa/samples", QASampleViewSet, basename="qa-sample")
router.register("complaints/actions", CorrectiveActionViewSet, basename="complaint-action")
router.register("complaints/reports", MonthlyReportViewSet, basename="complaint-report")
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("projects/task-books", TaskBookViewSet, basename="project-task-book")
router.register("projects/phases", PhaseViewSet, basename="project-phase")
router.register("projects/logs", DailyLogViewSet, basename="project-log")
router.register("projects/acceptances", AcceptanceViewSet, basename="project-acceptance")
router.register("projects", ProjectViewSet, basename="project")
