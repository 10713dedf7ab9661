"""Display names of audit verbs, keyed by domain (issue 14 §1), so the history panel reads well.

A verb means something in the domain of the object it is written on: `reopen` on a service
request is "重新打开", on a customer "恢复合作". The domain is the subject's app label (an
event knows its subject's content type), so stored verbs stay as they are:

    verbs.register("servicedesk", reopen=_("重新打开"), take=_("接手"))

Some verbs land on other domains' objects: the base verbs every workflow writes (create,
update, soft_delete …) and those of the engines a domain calls down into (a deadline clock
starting, a wait, an approval step) on whatever subject they serve. They are shared:

    verbs.register_shared(clock_start=_("开始计时"))

A label is looked up for (domain, verb), then among the shared verbs. Registering a verb a
second time with another label raises ImproperlyConfigured, and so does a domain verb that
would hide a shared one: one name, one meaning. Registering the same label again is a no-op
(a module imported twice). Labels are lazy translations (Chinese msgids), so each reads in
the user's language.
"""

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

BASE = {
    "create": _("创建"),
    "update": _("修改"),
    "soft_delete": _("删除"),
    "restore": _("恢复"),
    "assign_roles": _("调整角色"),
}

SHARED: dict[str, Promise] = dict(BASE)
DOMAINS: dict[str, dict[str, Promise]] = {}

# Under the tests (conftest.py) every event written must have a label in its domain: a verb
# without one raises where it is written. In production the event is kept and shows its code.
STRICT = False

CLASH = "Audit verb %(verb)r is already registered%(where)s as %(old)r, not %(new)r."


def _msgid(label) -> str:
    """What a label is, whatever the language: a lazy translation's msgid, else the text."""
    args = getattr(label, "_args", None)
    return str(args[0]) if args else str(label)


def _clash(verb: str, where: str, old, new) -> None:
    if _msgid(old) != _msgid(new):
        raise ImproperlyConfigured(CLASH % {"verb": verb, "where": where, "old": _msgid(old), "new": _msgid(new)})


def register(domain: str, **labels) -> None:
    """Labels of the verbs written on objects of `domain` (an app label)."""
    table = DOMAINS.setdefault(domain, {})
    for verb, label in labels.items():
        if verb in SHARED:
            _clash(verb, " as a shared verb", SHARED[verb], label)
        if verb in table:
            _clash(verb, f" in {domain}", table[verb], label)
        table[verb] = label


def register_shared(**labels) -> None:
    """Labels of verbs written on objects of any domain (the base verbs, the engines')."""
    for verb, label in labels.items():
        if verb in SHARED:
            _clash(verb, " as a shared verb", SHARED[verb], label)
        for domain, table in DOMAINS.items():
            if verb in table:
                _clash(verb, f" in {domain}", table[verb], label)
        SHARED[verb] = label


def label_for(verb: str, domain: str | None = None) -> Promise | None:
    """The registered label of `verb` on an object of `domain`, or None."""
    found = DOMAINS.get(domain, {}).get(verb) if domain else None
    return found if found is not None else SHARED.get(verb)


def check(verb: str, domain: str) -> None:
    """Under STRICT, a verb written without a label in its domain is an error."""
    if STRICT and label_for(verb, domain) is None:
        raise ImproperlyConfigured(
            f"Audit verb {verb!r} has no label in domain {domain!r}: verbs.register({domain!r}, {verb}=_('…'))"
        )


def verb_label(verb: str, domain: str | None = None) -> str:
    """What the verb is called in the user's language; its code when it has no label."""
    label = label_for(verb, domain)
    return str(label) if label is not None else verb
