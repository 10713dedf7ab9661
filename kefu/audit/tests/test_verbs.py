"""Issue 12 §7: audit verbs are shown by their registered label, never their code (QS-1, QS-7).
Issue 14 §1: labels are keyed by domain (the subject's app), a clash raises.

The registry check reads the source: every verb a workflow writes (the `verb` argument of
`record()`, `event()` and the domains' own helpers that take a `verb`, and every `verb=`
keyword, and what is assigned to a variable named `verb`) must be in `kefu.audit.verbs`, in
the domain of the app that writes it or among the shared verbs. Under the tests
(`verbs.STRICT`, conftest.py) every event written must also have a label in its subject's
domain, so the whole suite checks the verbs it writes.
"""

import ast
import importlib
import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

import kefu
from kefu.audit import verbs
from kefu.audit.models import Event
from kefu.core.tests.pending_en import english

ROOT = Path(kefu.__file__).parent


def _sources() -> dict[Path, ast.Module]:
    return {
        p: ast.parse(p.read_text(encoding="utf-8"))
        for p in sorted(ROOT.rglob("*.py"))
        if "tests" not in p.parts and "migrations" not in p.parts
    }


def _strings(node: ast.expr):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _strings(node.body)
        yield from _strings(node.orelse)


def verbs_in_code() -> dict[str, str]:
    """verb → where it is first written, for every literal verb in the code base."""
    return {verb: where[0] for verb, where in writes_in_code().items()}


def writes_in_code() -> dict[str, list[str]]:
    """verb → every place it is written (kefu/<app>/…:line), for every literal verb."""
    trees = _sources()
    # Functions that take a `verb`, and at which position (record, event, _audit, _move …).
    positions: dict[str, set[int]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                names = [a.arg for a in node.args.posonlyargs + node.args.args]
                if "verb" in names:
                    positions.setdefault(node.name, set()).add(names.index("verb"))
    found: dict[str, list[str]] = {}
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "verb" for t in node.targets):
                for verb in _strings(node.value):  # verb = "approval.submit"; record(obj, verb, …)
                    found.setdefault(verb, []).append(f"{path.relative_to(ROOT.parent)}:{node.lineno}")
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            args = [node.args[i] for i in positions.get(name, ()) if i < len(node.args)]
            args += [k.value for k in node.keywords if k.arg == "verb"]
            for arg in args:
                for verb in _strings(arg):
                    found.setdefault(verb, []).append(f"{path.relative_to(ROOT.parent)}:{node.lineno}")
    return found


def all_labels():
    """(domain or "shared", verb, label) for every registered verb."""
    rows = [("shared", verb, label) for verb, label in verbs.SHARED.items()]
    for domain, table in verbs.DOMAINS.items():
        rows += [(domain, verb, label) for verb, label in table.items()]
    return rows


# A verb written by one app on another domain's object, and that domain: the import of a call
# log is audited on the importing user; a first visit's correction of the contact goes through
# the customer archive's workflow, on the contact.
CROSS_DOMAIN = {("servicedesk", "import_calls"): "org", ("firstvisit", "correct"): "customers"}


def test_issue12_every_verb_written_in_the_code_base_has_a_label():
    # The registry as a running process has it: every app, URL and API module imported.
    importlib.import_module("kefu.urls")
    importlib.import_module("kefu.api")
    found = verbs_in_code()
    assert len(found) > 60  # the scan finds the workflows' verbs (kb_publish, dispatch, clock_breach …)
    assert {"kb_publish", "clock_breach", "wait_start", "open_visit", "not_completed"} <= set(found)
    missing = {}
    for verb, places in writes_in_code().items():
        for where in places:
            app = where.split("/")[1]
            domain = CROSS_DOMAIN.get((app, verb), app)
            if verbs.label_for(verb, domain) is None:
                missing[verb] = where
    assert missing == {}


def test_issue12_every_label_is_words_not_the_code():
    for _domain, verb, label in all_labels():
        assert str(label) and str(label) != verb, verb


@pytest.mark.django_db
def test_issue12_article_history_shows_the_verb_label_not_kb_publish(client, make_user, now):
    from kefu.knowledge.tests.factories import published

    author, reviewer, publisher = make_user("hotline"), make_user("quality"), make_user("service_manager")
    article = published(author, reviewer, publisher, now, title="打印机脱机", symptom="脱机", solution="重启")
    client.force_login(author)
    html = client.get(reverse("knowledge:detail", args=[article.pk])).content.decode()
    history = html[html.index('data-testid="history"') :]
    assert "发布问题库条目" in history and "审核问题库条目" in history
    assert ">kb_publish<" not in history and ">kb_review<" not in history
    event = Event.objects.get(verb="kb_publish")
    assert event.verb_label == "发布问题库条目" and "kb_publish" not in str(event)
    with translation.override("en"):
        assert event.verb_label != "kb_publish"


CJK = re.compile(r"[\u4e00-\u9fff]")


def test_issue14_every_label_is_a_lazy_chinese_translation():
    """English comes from the catalogue: a label is a lazy gettext of a Chinese msgid, never
    English typed into the code, and it reads in the language active when it is shown."""
    importlib.import_module("kefu.urls")
    importlib.import_module("kefu.api")
    for domain, verb, label in all_labels():
        assert isinstance(label, Promise), (domain, verb)
        assert CJK.search(verbs._msgid(label)), (domain, verb, verbs._msgid(label))
    with translation.override("zh-hans"):
        assert verbs.verb_label("reopen", "servicedesk") == "重新打开"
        assert verbs.verb_label("reopen", "customers") == "恢复合作"
        assert verbs.verb_label("create", "servicedesk") == "创建"  # a shared base verb
        assert verbs.verb_label("clock_start", "firstvisit") == "开始计时"  # an engine's verb on any subject
        assert verbs.verb_label("no_such_verb", "servicedesk") == "no_such_verb"
    with english():
        assert verbs.verb_label("create", "servicedesk") == "Created"  # from the catalogue


def test_issue14_the_subjects_domain_names_the_verb():
    """Every verb the code writes is labelled in the domain of the app that writes it (or
    shared), and the same verb in two domains may mean two things."""
    importlib.import_module("kefu.urls")
    importlib.import_module("kefu.api")
    assert verbs.label_for("reopen", "servicedesk") != verbs.label_for("reopen", "customers")
    assert verbs.label_for("approval.submit", "plans") != verbs.label_for("submit", "plans")
    assert verbs.label_for("take", "customers") is None  # a service-desk verb means nothing on a customer


@pytest.fixture
def scratch_registry():
    """The registry as it is, restored after the test (whatever the test registered)."""
    shared, domains = dict(verbs.SHARED), {d: dict(t) for d, t in verbs.DOMAINS.items()}
    yield
    verbs.SHARED.clear()
    verbs.SHARED.update(shared)
    verbs.DOMAINS.clear()
    verbs.DOMAINS.update(domains)


def test_issue14_registering_a_verb_twice_raises(scratch_registry):
    importlib.import_module("kefu.servicedesk.workflow")
    importlib.import_module("kefu.customers.workflow")
    # The same label again (a module imported twice) is no clash.
    verbs.register("servicedesk", reopen=_("重新打开"))
    verbs.register_shared(clock_start=_("开始计时"))
    with pytest.raises(ImproperlyConfigured, match="reopen"):
        verbs.register("servicedesk", reopen=_("恢复合作"))
    with pytest.raises(ImproperlyConfigured, match="create"):
        verbs.register("plans", create=_("编写"))  # would hide the shared base verb
    with pytest.raises(ImproperlyConfigured, match="reopen"):
        verbs.register_shared(reopen=_("重新打开"))  # a shared verb would be read differently per domain
    # Another domain is free to use the word for its own meaning.
    verbs.register("newdomain", reopen=_("重新启用"))
    assert verbs.verb_label("reopen", "newdomain") == "重新启用"
    assert verbs.verb_label("reopen", "servicedesk") == "重新打开"


def test_issue14_strict_registry_refuses_an_unlabelled_verb(make_user, now):
    from kefu.audit.service import record

    user = make_user("hotline")
    with pytest.raises(ImproperlyConfigured, match="no label in domain 'org'"):
        record(user, "reopen", by=user, at=now)  # reopen means something elsewhere, not on a user
    record(user, "update", by=user, at=now)  # a shared base verb is fine on anything


@pytest.mark.django_db
def test_issue14_request_and_customer_reopen_show_their_own_labels(client, make_user, now):
    from kefu.customers import workflow as customers
    from kefu.customers.tests.factories import new_customer
    from kefu.servicedesk import workflow as servicedesk
    from kefu.servicedesk.tests.factories import new_request

    rep, owner = make_user("customer_rep"), make_user("hotline")
    customer = new_customer(rep, now=now, owner=rep)
    customers.close_customer(customer, by=rep, now=now, reason="合同到期")
    customers.reopen_customer(customer, by=rep, now=now, reason="续约")
    req = new_request(customer, by=owner, now=now)
    servicedesk.solve(req, result="已处理", by=owner, now=now)
    servicedesk.reopen(req, reason="还是不能打印", by=owner, now=now)

    def reopen_row(html: str) -> str:
        panel = html[html.index('id="history-panel"') :]
        row = panel[panel.index('data-audit-verb="reopen"') :]
        return row[: row.index("</strong>")]

    client.force_login(rep)
    assert "恢复合作" in reopen_row(client.get(reverse("customers:detail", args=[customer.pk])).content.decode())
    client.force_login(owner)
    row = reopen_row(client.get(reverse("servicedesk:detail", args=[req.pk])).content.decode())
    assert "重新打开" in row and "恢复合作" not in row
    events = {e.content_type.app_label: e for e in Event.objects.filter(verb="reopen")}
    assert events["customers"].verb_label == "恢复合作" and events["servicedesk"].verb_label == "重新打开"
    assert "恢复合作" in str(events["customers"])


@pytest.mark.django_db
def test_issue14_plan_submit_is_two_events_that_read_differently(make_user, now):
    """The plan's history had "提交审批" twice: the plan's own move (草稿 → 已提交) and the approval
    chain's record on its subject. Two real events, one each, now told apart."""
    from kefu.plans import workflow as plans
    from kefu.plans.tests.factories import customer_relations, written_plan

    _dept, _head, rep = customer_relations()
    plan = written_plan(rep, now)
    plans.submit(plan, by=rep, now=now)
    rows = list(Event.objects.filter(object_id=str(plan.pk), content_type__app_label="plans").order_by("id"))
    submits = [(e.verb, e.verb_label) for e in rows if "submit" in e.verb]
    assert submits == [("submit", "提交审批"), ("approval.submit", "审批：已提交")]
