"""`SearchableModel`: the two columns a domain model adds to be found by `kefu.search`."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.search.tokens import index_tokens


class SearchableModel(models.Model):
    """Abstract base: implement `search_text()`, add `AddSearchIndex` to the migration.

    `search_tokens` is what both databases index (see tokens.py). `search_vector` is filled
    from it by a trigger on PostgreSQL; on SQLite it is an unused, always-NULL column (SQLite
    accepts the type name) so one migration serves both databases.
    """

    search_tokens = models.TextField(_("检索词"), blank=True, default="", editable=False)
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        abstract = True

    def search_text(self) -> str:
        """The text to find this row by: the fields a user would type words from."""
        raise NotImplementedError(f"{type(self).__name__} must implement search_text()")

    def fill_search_tokens(self) -> None:
        """Set `search_tokens` before a save or bulk_create (the database triggers do the rest)."""
        self.search_tokens = index_tokens(self.search_text())
