"""Chinese full-text search shared by the domains (KB-2, KB-3).

A model opts in with two columns and a hook, one migration operation, and an index() call in
the workflow that changes the searched fields:

    class Article(SearchableModel):                 # kefu.search.models
        ...
        def search_text(self):
            return "\n".join([self.title, self.symptom, self.solution, self.product])

    operations = [migrations.CreateModel("Article", ...), AddSearchIndex("Article")]
                                                    # kefu.search.operations (or .migrations)
    index(article)                                  # after saving changed fields
    search(Article.objects.filter(status="published"), "打印 E3", limit=20)
    suggest(Article.objects.all(), "客户反映凭证无法打印", limit=5)
    Customer.objects.filter(requests__in=matching(ServiceRequest.objects.all(), "加密锁"))

`python manage.py reindex_search` recomputes every row after a change to the tokenizer or the
user dictionary. How tokens work and why: tokens.py. The two databases: backends.py.
"""

from kefu.search.indexing import index, reindex, tokens_for
from kefu.search.querying import matching, search, suggest

__all__ = ["index", "matching", "reindex", "search", "suggest", "tokens_for"]
