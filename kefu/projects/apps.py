from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "kefu.projects"
    verbose_name = "实施项目"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from kefu.customers import timeline
        from kefu.documents import attachments
        from kefu.projects import selectors, workflow

        # Not yet: the navigation items, list pages (tables.LISTS), workbench panel and demo
        # loader wait for the pages' templates (issue 17, still to do).
        workflow.define_chains()
        timeline.register_kind("project", _("实施项目"))
        for label in ("projects.project", "projects.dailylog", "projects.phase", "projects.planversion"):
            attachments.register_subject(label, may_see=selectors.may_see)
        attachments.register_subject("projects.taskbook", may_see=selectors.may_see_task_book)
        attachments.register_subject("projects.changerequest", may_see=selectors.may_see)
        attachments.register_subject("projects.acceptance", may_see=selectors.may_see)
