"""Load the demo company: `python manage.py load_demo`. Idempotent: a second run changes nothing."""

from django.core.management import BaseCommand

from kefu.org.demo_data import load


class Command(BaseCommand):
    help = "加载演示公司、部门、维修站和每个角色的演示用户（可重复运行）"

    def handle(self, *args, **options):
        created = load()
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪（新建 {created} 条记录）。"))
