from django.db import models

from kefu.search.models import SearchableModel


class Note(SearchableModel):
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.title

    def search_text(self) -> str:
        return f"{self.title}\n{self.body}"
