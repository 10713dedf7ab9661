from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SearchConfig(AppConfig):
    name = "kefu.search"
    verbose_name = "全文检索"

    def ready(self):
        from kefu.search.backends import repair_after_migrate

        # SQLite rebuilds a table for many ALTERs and the rebuild drops its triggers; put the
        # FTS5 triggers back (and resync) after every migrate.
        post_migrate.connect(repair_after_migrate, sender=self, dispatch_uid="kefu.search.repair")
