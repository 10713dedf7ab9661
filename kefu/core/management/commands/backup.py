"""`manage.py backup <dir>`: the database and the uploaded files into a new directory (safe
while Kefu runs). See kefu/core/backup.py and docs/operations.md, "Backup and restore"."""

from django.core.management import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "备份数据库和上传的文件到一个新目录（Kefu 运行时也可执行）"

    def add_arguments(self, parser):
        parser.add_argument("directory", help="新的或空的备份目录")
        parser.add_argument("--database", default="default", help="数据库别名（默认 default）")

    def handle(self, *args, directory, database, **options):
        try:
            manifest = backup(directory, now=timezone.now(), alias=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        db, media = manifest["database"], manifest["media"]
        self.stdout.write(
            self.style.SUCCESS(
                _("备份完成：%(d)s（%(e)s 数据库 %(db)s 字节，文件 %(n)s 个，%(m)s 字节）。")
                % {
                    "d": directory,
                    "e": manifest["engine"],
                    "db": f"{db['bytes']:,}",
                    "n": media["files"],
                    "m": f"{media['bytes']:,}",
                }
            )
        )
