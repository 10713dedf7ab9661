from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import pgettext_lazy


def _schedule_daily_job(sender, using="default", **kwargs) -> None:
    """The daily generation job as a database schedule an administrator can edit (RV-8)."""
    from django.db import connections

    if "django_celery_beat_periodictask" not in connections[using].introspection.table_names():
        return
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    crontab, _created = CrontabSchedule.objects.using(using).get_or_create(
        minute="30", hour="6", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.using(using).get_or_create(
        name="每日生成回访（RV-8）", defaults={"task": "kefu.visits.tasks.generate_visits", "crontab": crontab}
    )


class VisitsConfig(AppConfig):
    name = "kefu.visits"
    verbose_name = "回访"

    def ready(self) -> None:
        from kefu.core import lists, navigation, workbench
        from kefu.customers import views as customer_views
        from kefu.org import demo_data
        from kefu.visits import demo, tables, views

        navigation.register(
            navigation.NavItem("visits", pgettext_lazy("nav", "回访"), "visits:list", "visits.view_list", order=15)
        )
        workbench.register(views.workbench_panel)
        if views.customer_panel not in customer_views.CUSTOMER_PANELS:
            customer_views.CUSTOMER_PANELS.append(views.customer_panel)
        demo_data.register(demo.load)
        lists.register(tables.VISITS)
        post_migrate.connect(_schedule_daily_job, sender=self, dispatch_uid="kefu.visits.schedule_daily_job")
