from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kefu.audit.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_name", "verb_label", "object_repr", "before", "after")
    list_filter = ("verb", "content_type")
    search_fields = ("object_repr", "actor_name")
    list_select_related = ("actor",)

    @admin.display(description=_("动作"), ordering="verb")
    def verb_label(self, event):
        return event.verb_label

    # Append-only: the admin may read events, never change or remove them.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
