"""`manage.py restore <dir>`: a backup into an empty database and MEDIA_ROOT (stop the web and
the workers first). See kefu/core/backup.py and docs/operations.md, "Backup and restore"."""

from django.core.management import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kefu.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "从备份目录恢复数据库和上传的文件（目标须为空库；请先停止网站和后台任务）"

    def add_arguments(self, parser):
        parser.add_argument("directory", help="manage.py backup 写出的备份目录")
        parser.add_argument("--database", default="default", help="数据库别名（默认 default）")
        parser.add_argument("--force", action="store_true", help="覆盖非空的数据库和文件目录")

    def handle(self, *args, directory, database, force, **options):
        try:
            manifest = restore(directory, alias=database, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("恢复完成：%(at)s 的备份（Kefu %(v)s，文件 %(n)s 个）。")
                % {"at": manifest["created_at"], "v": manifest["kefu"], "n": manifest["media"]["files"]}
            )
        )
        pending = manifest["pending_migrations"]
        if pending:
            self.stdout.write(
                self.style.WARNING(
                    _("备份比当前代码旧：还有 %(n)s 个迁移未执行，请运行 manage.py migrate。") % {"n": len(pending)}
                )
            )
