"""Display names of audit verbs. Domains register theirs so the history panel reads well."""

from django.utils.translation import gettext_lazy as _

VERB_LABELS = {
    "create": _("创建"),
    "update": _("修改"),
    "soft_delete": _("删除"),
    "restore": _("恢复"),
    "assign_roles": _("调整角色"),
}


def register(**labels) -> None:
    VERB_LABELS.update(labels)


def verb_label(verb: str) -> str:
    return str(VERB_LABELS.get(verb, verb))
