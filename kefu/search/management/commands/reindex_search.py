"""`python manage.py reindex_search [app.Model ...]`: recompute search tokens (after a change to
tokens.py or userdict.txt). Writes only rows whose tokens changed; safe to rerun."""

from django.apps import apps
from django.core.management import BaseCommand, CommandError

from kefu import search
from kefu.search.backends import searchable_models


class Command(BaseCommand):
    help = "重新计算全文检索词（分词规则或用户词典变更后运行，可重复运行）"

    def add_arguments(self, parser):
        parser.add_argument("models", nargs="*", metavar="app.Model", help="默认：全部可检索模型")
        parser.add_argument("--batch", type=int, default=1000)

    def handle(self, *args, models: list[str], batch: int, **options):
        labels, models = models, searchable_models()
        if labels:
            try:
                chosen = [apps.get_model(label) for label in labels]
            except (LookupError, ValueError) as exc:
                raise CommandError(str(exc)) from exc
            if stray := [m._meta.label for m in chosen if m not in models]:
                raise CommandError(f"不是可检索模型：{', '.join(stray)}")
            models = chosen
        for model in models:
            changed = search.reindex(model, batch=batch)
            self.stdout.write(self.style.SUCCESS(f"{model._meta.label}：更新 {changed} 行"))
