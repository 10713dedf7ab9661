from django.contrib import admin

from kefu.knowledge.models import Article


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """Read-only: articles change through the workflow (draft → reviewed → published)."""

    list_display = ["id", "title", "product", "status", "author", "published_at"]
    list_filter = ["status", "product"]
    search_fields = ["title"]
    list_select_related = ["author"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
