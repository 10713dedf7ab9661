from django.contrib import admin

from kefu.feedback.models import Category, Feedback


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """The rule table (FB-1): categories and their keywords, editable here."""

    list_display = ("name", "key", "keywords", "order", "active")
    list_editable = ("keywords", "order", "active")
    search_fields = ("name", "keywords")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a category in use stays; switch it off instead


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("at", "source", "customer", "category", "suggested")
    list_filter = ("source", "category")
    readonly_fields = [f.name for f in Feedback._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # categories are set on the feedback list (audited)
