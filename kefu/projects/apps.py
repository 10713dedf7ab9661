from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "kefu.projects"
    verbose_name = "实施项目"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _
        from django.utils.translation import pgettext_lazy

        from kefu.core import lists, navigation
        from kefu.core import workbench as workbenches
        from kefu.customers import timeline
        from kefu.customers import views as customer_views
        from kefu.documents import attachments
        from kefu.org import demo_data
        from kefu.projects import demo, selectors, tables, views, workbench, workflow

        navigation.register(
            navigation.NavItem(
                "projects", pgettext_lazy("nav", "实施项目"), "projects:list", "projects.view_list", order=18
            )
        )
        workbenches.register(workbench.panel)
        for table in tables.LISTS:
            lists.register(table)
        demo_data.register(demo.load)
        if views.customer_panel not in customer_views.CUSTOMER_PANELS:
            customer_views.CUSTOMER_PANELS.append(views.customer_panel)
        workflow.define_chains()
        timeline.register_kind("project", _("实施项目"))
        for label in ("projects.project", "projects.dailylog", "projects.phase", "projects.planversion"):
            attachments.register_subject(label, may_see=selectors.may_see)
        attachments.register_subject("projects.taskbook", may_see=selectors.may_see_task_book)
        attachments.register_subject("projects.changerequest", may_see=selectors.may_see)
        attachments.register_subject("projects.acceptance", may_see=selectors.may_see)
