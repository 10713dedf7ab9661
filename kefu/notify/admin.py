from django.contrib import admin

from kefu.notify.models import Notification, Outbox


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin):
    list_display = ("created_at", "event", "ref", "channel", "recipient", "address", "status", "attempts", "sent_at")
    list_filter = ("status", "channel", "event")
    list_select_related = ("recipient",)
    search_fields = ("key", "subject", "ref")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "title", "read_at")
    list_select_related = ("recipient",)

    def has_delete_permission(self, request, obj=None):
        return False
