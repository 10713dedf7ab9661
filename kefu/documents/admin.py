from django.contrib import admin

from kefu.documents.models import Attachment


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    """Read-only: files are attached by the domains' workflows and served by documents:file."""

    list_display = ("name", "kind", "mime_type", "size", "content_type", "object_id", "uploaded_at", "uploaded_by")
    list_filter = ("kind", "content_type")
    search_fields = ("name",)
    list_select_related = ("content_type", "uploaded_by")
    exclude = ("file", "thumbnail")  # no link to a media URL: the admin page is not the way to a file

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
