from django.contrib import admin

from kefu.reports.models import Delivery, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("report", "every", "owner", "next_run_at", "active")
    list_filter = ("report", "every", "active")
    filter_horizontal = ("recipients",)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("subscription", "period", "slot", "step", "sent_at")
    list_filter = ("step",)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
