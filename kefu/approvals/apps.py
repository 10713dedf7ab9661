from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class ApprovalsConfig(AppConfig):
    name = "kefu.approvals"
    verbose_name = "审批"

    def ready(self) -> None:
        from kefu.approvals import rules as _rules  # noqa: F401 -- registers the permissions
        from kefu.approvals import selectors, tables, views
        from kefu.core import lists, navigation, workbench

        navigation.register(
            navigation.NavItem(
                "approvals",
                pgettext_lazy("nav", "待我审批"),
                "approvals:inbox",
                "approvals.view_inbox",
                order=3,
                count=selectors.pending_count,
            )
        )
        workbench.register(views.workbench_panel)
        # A step's clock shows the approval's subject: bring the approval with the step.
        from kefu.approvals.models import ApprovalStep
        from kefu.deadlines import selectors as clock_selectors

        clock_selectors.register_subject_queryset(ApprovalStep, lambda: ApprovalStep.objects.select_related("approval"))
        lists.register(tables.INBOX)
