"""The default rule table: every time limit of the catalogue, synced without losing edits (CAL-3)."""

import io

import pytest
from django.core.management import call_command

from kefu.audit.models import Event
from kefu.core.errors import Forbidden, Invalid
from kefu.deadlines import defaults, workflow
from kefu.deadlines.models import DeadlineRule, EscalationLevel
from kefu.deadlines.spec import AMOUNT_REQUIRED

pytestmark = pytest.mark.django_db

# Every requirement of ../shared/spec/requirements.md that names a time limit, with the
# catalogue value as (kind, amount, unit) or the kind's parameters.
CATALOGUE = {
    "firstvisit.call": ("FV-2", "elapsed", 7, "days"),
    "firstvisit.need_submit": ("FV-5", "next_work_start", None, ""),
    "request.first_response.urgent": ("SR-2", "working_time", 2, "hours"),
    "request.first_response.high": ("SR-2", "working_time", 4, "hours"),
    "request.first_response.medium": ("SR-2", "working_time", 6, "hours"),
    "request.first_response.low": ("SR-2", "working_time", 24, "hours"),
    "hotline.duty_ready": ("HL-2", "elapsed", 10, "minutes"),
    "hotline.handover": ("HL-2", "elapsed", 30, "minutes"),
    "hotline.shelved_reply": ("HL-5", "working_time", 3, "hours"),
    "hotline.callback": ("HL-5", "working_time", 1, "hours"),
    "hotline.onsite_submit": ("HL-6", "working_time", 30, "minutes"),
    "hotline.unsolved_submit": ("HL-7", "next_work_start", None, ""),
    "fieldservice.write_off": ("OS-5", "next_work_start", None, ""),
    "fieldservice.sheet_to_desk": ("OS-6", "weekday_time", None, ""),
    "returnvisit.hotline": ("RV-1", "elapsed", 3, "days"),
    "returnvisit.onsite": ("RV-2", "working_days", 1, ""),
    "returnvisit.project_final": ("RV-3", "working_days", 7, ""),
    "returnvisit.network_followup": ("RV-4", "elapsed", 48, "hours"),
    "returnvisit.periodic": ("RV-5", "elapsed", 60, "days"),
    "returnvisit.key_inspection": ("RV-6", "elapsed", 365, "days"),
    "complaint.contact": ("CP-3", "working_time", 3, "hours"),
    "complaint.verify": ("CP-5", "working_days", 1, ""),
    "complaint.vendor_feedback": ("CP-7", "working_days", 1, ""),
    "complaint.monthly_report": ("CP-8", "nth_working_day_next_month", 3, ""),
    "station.acknowledge": ("RS-2", "working_time", 2, "hours"),
    "station.contact": ("RS-3", "working_time", 2, "hours"),
    "station.urban_visit": ("RS-4", "elapsed", 24, "hours"),
    "station.repair_escalate": ("RS-7", "elapsed", 5, "days"),
    "parts.ship": ("PT-2", "working_days", 1, ""),
    "parts.receipt_mismatch": ("PT-3", "working_days", 1, ""),
    "parts.damage_statement": ("PT-3", "working_days", 3, ""),
    "parts.refusal_notice": ("PT-3", "working_days", 1, ""),
    "parts.direct_purchase_ship": ("PT-4", "working_days", 1, ""),
    "parts.loan_sale_report": ("PT-5", "working_days", 5, ""),
    "parts.return_defective": ("PT-6", "working_days", 5, ""),
    "parts.return_loan": ("PT-6", "working_days", 10, ""),
    "parts.loan_auto_sale": ("PT-6", "working_days", 20, ""),
    "parts.return_notice": ("PT-6", "elapsed", 1, "days"),
    "parts.return_query": ("PT-6", "working_days", 2, ""),
    "parts.reconcile_stocktake": ("PT-8", "day_of_month", None, ""),
    "parts.reconcile_statement": ("PT-8", "day_of_month", None, ""),
    "parts.reconcile_confirm": ("PT-8", "day_of_month", None, ""),
    "parts.reconcile_close": ("PT-8", "day_of_month", None, ""),
    "parts.weekly_stock_report": ("PT-9", "weekday_time", None, ""),
    "parts.batch_return": ("PT-10", "elapsed", 15, "days"),
    "parts.ledger_stocktake": ("PT-12", "elapsed", 15, "days"),
}


def test_cal3_the_table_holds_every_time_limit_of_the_catalogue():
    rules = {r.key: r for r in DeadlineRule.objects.select_related("calendar")}
    assert set(rules) == {d.key for d in defaults.DEFAULTS}
    assert set(rules) >= set(CATALOGUE)  # domains may add rules of their own
    for key, (requirement, kind, amount, unit) in CATALOGUE.items():
        rule = rules[key]
        assert (rule.requirement, rule.kind, rule.amount, rule.unit) == (requirement, kind, amount, unit), key
        assert rule.name_zh and rule.name_en and rule.enabled
    assert {r.requirement for r in rules.values()} >= {
        "FV-2", "FV-5", "SR-2", "HL-2", "HL-5", "HL-6", "HL-7", "OS-5", "OS-6", "RV-1", "RV-2", "RV-3", "RV-4",
        "RV-5", "RV-6", "CP-3", "CP-5", "CP-7", "CP-8", "RS-2", "RS-3", "RS-4", "RS-7", "PT-2", "PT-3", "PT-4",
        "PT-5", "PT-6", "PT-8", "PT-9", "PT-10", "PT-12",
    }  # fmt: skip


def test_cal3_special_parameters_of_the_catalogue():
    rules = {r.key: r for r in DeadlineRule.objects.all()}
    assert (rules["parts.weekly_stock_report"].weekday, rules["parts.weekly_stock_report"].at.hour) == (2, 12)
    assert rules["fieldservice.sheet_to_desk"].weekday == 0
    assert rules["fieldservice.sheet_to_desk"].at is None  # before start of work
    assert [rules[f"parts.reconcile_{k}"].day for k in ("stocktake", "statement", "confirm", "close")] == [25, 28, 1, 3]
    assert rules["parts.ship"].cutoff.hour == 12


def test_calendars_of_the_defaults_follow_the_domain():
    by_calendar = dict(DeadlineRule.objects.values_list("key", "calendar__code"))
    assert by_calendar["hotline.shelved_reply"] == "hotline"
    assert by_calendar["request.first_response.urgent"] == "hotline"
    assert by_calendar["complaint.contact"] == "office"
    assert by_calendar["station.acknowledge"] == "station"


def test_sync_is_idempotent_and_never_overwrites_an_administrators_edit(admin_user, now):
    assert defaults.sync(now=now) == {"created": 0, "updated": 0}
    rule = DeadlineRule.objects.get(key="hotline.shelved_reply")
    workflow.update_rule(rule, by=admin_user, now=now, amount=2)
    DeadlineRule.objects.filter(key="hotline.callback").update(amount=99)  # stale, never edited
    assert defaults.sync(now=now) == {"created": 0, "updated": 1}
    assert DeadlineRule.objects.get(key="hotline.shelved_reply").amount == 2
    assert DeadlineRule.objects.get(key="hotline.callback").amount == 1
    DeadlineRule.objects.filter(key="parts.ship").delete()
    out = io.StringIO()
    call_command("sync_deadlines", stdout=out)
    assert "新建 1 条" in out.getvalue()
    assert DeadlineRule.objects.filter(key="parts.ship").exists()


def test_cal3_rule_edit_is_audited_and_kept_in_history(admin_user, now):
    rule = DeadlineRule.objects.get(key="hotline.shelved_reply")
    workflow.update_rule(rule, by=admin_user, now=now, amount=2)
    rule.refresh_from_db()
    assert rule.customized
    assert rule.history.count() == 2
    event = Event.objects.get(verb="rule_update")
    assert (event.before, event.after) == ("3 小时（工作时间）", "2 小时（工作时间）")
    assert event.data == {"changes": {"amount": ["3", "2"]}}
    assert workflow.update_rule(rule, by=admin_user, now=now, amount=2) is not None
    assert Event.objects.filter(verb="rule_update").count() == 1  # no change, no event


def test_cal3_rule_edit_is_validated_and_refused_to_non_admins(admin_user, make_user, now):
    rule = DeadlineRule.objects.get(key="hotline.shelved_reply")
    with pytest.raises(Invalid) as err:
        workflow.update_rule(rule, by=admin_user, now=now, amount=0)
    assert err.value.message == AMOUNT_REQUIRED
    assert DeadlineRule.objects.get(pk=rule.pk).amount == 3
    with pytest.raises(Forbidden):
        workflow.update_rule(rule, by=make_user("service_manager"), now=now, amount=2)
    with pytest.raises(Forbidden):
        workflow.set_escalations(rule, [], by=make_user("hotline"), now=now)


def test_escalation_levels_are_editable_and_audited(admin_user, now):
    rule = DeadlineRule.objects.get(key="hotline.callback")
    workflow.set_escalations(rule, [(0, "manager"), (-10, "owner")], by=admin_user, now=now)
    assert list(rule.escalations.values_list("offset_minutes", "notify")) == [(-10, "owner"), (0, "manager")]
    assert Event.objects.get(verb="rule_escalations").after == "-10:owner, +0:manager"
    with pytest.raises(Invalid):
        workflow.set_escalations(rule, [(0, "ceo")], by=admin_user, now=now)
    assert EscalationLevel.objects.filter(rule=rule).count() == 2
