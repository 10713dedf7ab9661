from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kefu.customers.models import Contact, Contract, Customer, Device, ImportJob


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Archive rows change through the workflow (audited field by field); the admin only reads."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ["name", "short_name", "level", "status", "owner", "created_at"]
    list_filter = ["level", "status"]
    search_fields = ["name", "short_name", "initials"]


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ["name", "customer", "is_main"]
    raw_id_fields = ["customer", "portal_user"]


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ["number", "customer", "signed_on", "service_start", "service_end"]
    search_fields = ["number", "dongle_no"]


@admin.register(Device)
class DeviceAdmin(ReadOnlyAdmin):
    list_display = ["serial_barcode", "model", "customer"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["file_name", "status", "total_rows", "created_by", "created_at"]

    def has_change_permission(self, request, obj=None):
        return False
