"""`python manage.py sync_deadlines`: the standard calendars and the rule table, idempotent."""

from django.core.management import BaseCommand
from django.utils import timezone

from kefu.deadlines import defaults


class Command(BaseCommand):
    help = "写入标准工作日历和时限规则默认表（可重复运行，不覆盖管理员的修改）"

    def handle(self, *args, **options):
        counts = defaults.sync(now=timezone.now())
        self.stdout.write(
            self.style.SUCCESS(f"时限规则已同步：新建 {counts['created']} 条，更新 {counts['updated']} 条。")
        )
