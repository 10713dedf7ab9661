from celery import shared_task
from django.utils import timezone

from kefu.reports import aggregates, subscriptions


@shared_task(name="kefu.reports.tasks.send_subscriptions", ignore_result=True)
def send_subscriptions() -> int:
    """Every minute: subscribed reports whose time has come, each slot sent once (issue 15)."""
    return subscriptions.run(timezone.now())


@shared_task(name="kefu.reports.tasks.rebuild_aggregates", ignore_result=True)
def rebuild_aggregates(days: int = 2) -> int:
    """Every few minutes: yesterday and today of every daily-aggregate store (issue 15); each day
    claimed by one worker. Once a night with `days=0`: each store's last `settle_days`."""
    now, built = timezone.now(), 0
    for store in aggregates.STORES.values():
        done = aggregates.recent(store, now=now, days=days or store.settle_days)
        built += sum(1 for n in done.values() if n is not None)
    return built
