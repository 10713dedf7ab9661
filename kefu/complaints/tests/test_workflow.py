"""Complaints (CP-1..CP-7): every rule with the clock it starts and where it is due."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from kefu.approvals import workflow as approvals
from kefu.audit.models import Event
from kefu.complaints import workflow
from kefu.complaints.models import Complaint, CorrectiveAction, VendorEscalation
from kefu.complaints.tests.factories import World, accepted, contacted, handling, new_complaint, result_back
from kefu.core.errors import Conflict, Forbidden, Invalid
from kefu.customers.models import Customer, TimelineEntry
from kefu.customers.tests.factories import CustomerFactory
from kefu.deadlines import clocks
from kefu.deadlines.models import ClockState
from kefu.notify.models import Outbox
from kefu.org.tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
S = Complaint.Status


def sh(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def world(db):
    return World()


# --- intake (CP-1) ---------------------------------------------------------------------------


def test_cp1_intake_is_numbered_on_the_timeline_audited_and_tells_the_supervisor(world, now):
    complaint = new_complaint(world, now=now)
    assert complaint.number.startswith("CP251124")
    assert complaint.status == S.NEW
    assert TimelineEntry.objects.filter(customer=complaint.customer, kind="complaint").exists()
    assert Event.objects.filter(verb="create", object_id=str(complaint.pk)).exists()
    assert Outbox.objects.filter(event="complaint.received", recipient=world.quality).exists()


def test_cp1_a_vendor_transferred_complaint_needs_the_vendor_reference_and_contact(world, now):
    with pytest.raises(Invalid) as err:
        new_complaint(world, now=now, source="vendor", vendor_ref="")
    assert err.value.field == "vendor_ref"
    complaint = new_complaint(world, now=now, source="vendor", vendor_ref="VD-2025-118", vendor_contact="厂商王工")
    assert complaint.channel == Complaint.Channel.VENDOR


def test_cp1_title_and_content_are_required(world, now):
    with pytest.raises(Invalid) as err:
        new_complaint(world, now=now, content="  ")
    assert err.value.field == "content"


def test_cp1_a_customer_cannot_register_a_complaint_here(world, now):
    with pytest.raises(Forbidden):
        workflow.create_complaint(
            CustomerFactory(), title="x", content="y", by=UserFactory(roles=["customer"]), now=now
        )


def test_cp1_a_complaint_type_request_opens_a_complaint(world, now):
    from kefu.servicedesk.tests.factories import new_request

    req = new_request(by=world.desk, now=now, type="complaint", title="维修后又坏了")
    complaint = Complaint.objects.get(subject_id=str(req.pk))
    assert complaint.channel == Complaint.Channel.REQUEST
    assert complaint.customer == req.customer
    assert complaint.title == "维修后又坏了"
    assert Outbox.objects.filter(event="complaint.received", recipient=world.quality).exists()
    # The desk's old flag is replaced by the complaint (no second notice to quality).
    assert not Outbox.objects.filter(event="request.complaint").exists()


# --- validity review (CP-2) ------------------------------------------------------------------


def test_cp2_valid_goes_to_the_department_head_with_the_3_hour_clock(world, now):
    complaint = accepted(world, now=now)
    assert complaint.status == S.ASSIGNED and complaint.valid is True
    clock = clocks.open_clock(complaint, "complaint.contact")
    assert clock.owner == world.head
    assert Outbox.objects.filter(event="complaint.assigned", recipient=world.head).exists()


def test_cp2_valid_needs_a_department(world, now):
    complaint = new_complaint(world, now=now)
    with pytest.raises(Invalid) as err:
        workflow.accept(complaint, department=None, by=world.quality, now=now)
    assert err.value.message == workflow._common.DEPARTMENT_REQUIRED


def test_cp2_only_the_supervisor_reviews(world, now):
    complaint = new_complaint(world, now=now)
    with pytest.raises(Forbidden):
        workflow.accept(complaint, department=world.department, by=world.desk, now=now)


def test_cp2_outside_the_contract_is_explained_archived_and_not_counted(world, now):
    complaint = new_complaint(world, now=now)
    with pytest.raises(Invalid):
        workflow.archive_invalid(complaint, explanation=" ", by=world.quality, now=now)
    workflow.archive_invalid(complaint, explanation="该设备已过保修期，合同不含上门服务", by=world.quality, now=now)
    complaint.refresh_from_db()
    assert complaint.status == S.INVALID and complaint.valid is False
    assert not Complaint.objects.counted().filter(pk=complaint.pk).exists()
    from kefu.complaints import selectors

    assert list(selectors.complaints_for(world.quality, q="迟到两小时")) == [complaint]  # still searchable
    assert not clocks.open_rule_keys(complaint)


def test_cp2_two_supervisors_reviewing_at_once_the_second_gets_409(world, now):
    complaint = new_complaint(world, now=now)
    seen_by_second = Complaint.objects.get(pk=complaint.pk)
    workflow.accept(complaint, department=world.department, by=world.quality, now=now)
    with pytest.raises(Conflict):
        workflow.archive_invalid(seen_by_second, explanation="不属于合同范围", by=world.quality2, now=now)
    with pytest.raises(Conflict):
        workflow.accept(seen_by_second, department=world.department, by=world.quality2, now=now)
    assert Complaint.objects.get(pk=complaint.pk).reviewed_by == world.quality


# --- handling and the 3-hour contact (CP-3) ----------------------------------------------------


@pytest.mark.parametrize(
    ("handed_over", "due"),
    [
        # Monday 11:00 on the office calendar: 1 h to noon, lunch 12:00-13:30, then 2 h.
        (sh(2025, 11, 24, 11), sh(2025, 11, 24, 15, 30)),
        # Friday 16:30: 1.5 h on Friday, the weekend is off, 1.5 h on Monday morning.
        (sh(2025, 11, 28, 16, 30), sh(2025, 12, 1, 10, 30)),
    ],
)
def test_cp3_contact_within_3_hours_on_the_office_calendar(world, handed_over, due):
    complaint = accepted(world, now=handed_over)
    assert clocks.open_clock(complaint, "complaint.contact").due_at == due


def test_cp3_the_contact_clock_follows_the_responsible_person_and_stops_at_contact(world, now):
    complaint = handling(world, now=now)
    assert complaint.status == S.HANDLING and complaint.responsible == world.responsible
    assert clocks.open_clock(complaint, "complaint.contact").owner == world.responsible
    assert Outbox.objects.filter(event="complaint.responsible", recipient=world.responsible).exists()
    workflow.record_contact(
        complaint,
        measures="再次上门",
        remedy="service",
        contact_record="已约明天上午",
        by=world.responsible,
        now=now + timedelta(hours=2),
    )
    clock = complaints_clock(complaint, "complaint.contact")
    assert clock.state == ClockState.MET and clock.breached_at is None


def complaints_clock(complaint, key):
    return clocks.clocks_of(complaint).filter(rule__key=key).first()


def test_cp3_only_the_department_head_names_the_responsible_person(world, now):
    complaint = accepted(world, now=now)
    other_head = UserFactory(roles=["dept_head"], department=DepartmentFactory())
    with pytest.raises(Forbidden):
        workflow.assign_responsible(complaint, cause="x", responsible=world.responsible, by=other_head, now=now)


def test_cp3_result_only_after_the_customer_was_contacted(world, now):
    complaint = handling(world, now=now)
    with pytest.raises(Invalid) as err:
        workflow.record_result(complaint, result="已处理", by=world.responsible, now=now)
    assert err.value.message == workflow._common.NOT_CONTACTED


def test_cp3_compensation_needs_an_amount(world, now):
    complaint = handling(world, now=now)
    with pytest.raises(Invalid) as err:
        workflow.record_contact(
            complaint, measures="补偿", remedy="compensation", contact_record="已联系", by=world.responsible, now=now
        )
    assert err.value.field == "compensation_amount"


def test_cp3_compensation_within_the_limit_needs_no_approval(world, now, settings):
    settings.KEFU_COMPENSATION_APPROVAL_LIMIT = 500
    complaint = handling(world, now=now)
    complaint = workflow.record_contact(
        complaint,
        measures="补偿",
        remedy="compensation",
        compensation_amount="300",
        contact_record="已联系",
        by=world.responsible,
        now=now,
    )
    assert complaint.compensation == Complaint.Compensation.NONE
    assert complaint.compensation_amount == Decimal("300.00")
    workflow.record_result(complaint, result="已补偿 300 元", by=world.responsible, now=now)


def test_cp3_compensation_above_the_limit_is_approved_by_the_department_head(world, now, settings):
    settings.KEFU_COMPENSATION_APPROVAL_LIMIT = 500
    complaint = handling(world, now=now)
    complaint = workflow.record_contact(
        complaint,
        measures="补偿",
        remedy="compensation",
        compensation_amount="800",
        contact_record="已联系，客户要求补偿",
        by=world.responsible,
        now=now,
    )
    assert complaint.compensation == Complaint.Compensation.PENDING
    approval = approvals.approval_of(complaint, workflow.COMPENSATION_CHAIN)
    step = approvals.current_step(approval)
    assert step.rule == "approval.compensation"
    with pytest.raises(Invalid) as err:
        workflow.record_result(complaint, result="已补偿", by=world.responsible, now=now)
    assert err.value.message == workflow._common.COMPENSATION_PENDING
    approvals.decide(approval, verdict="approve", by=world.head, now=now + timedelta(minutes=30))
    complaint.refresh_from_db()
    assert complaint.compensation == Complaint.Compensation.APPROVED
    workflow.record_result(complaint, result="已补偿 800 元", by=world.responsible, now=now + timedelta(hours=1))
    assert Complaint.objects.get(pk=complaint.pk).status == S.RESULT


def test_cp3_a_returned_compensation_blocks_the_result_until_changed(world, now, settings):
    settings.KEFU_COMPENSATION_APPROVAL_LIMIT = 500
    complaint = handling(world, now=now)
    contact = {"measures": "补偿", "contact_record": "已联系", "by": world.responsible, "now": now}
    complaint = workflow.record_contact(complaint, remedy="compensation", compensation_amount="900", **contact)
    approval = approvals.approval_of(complaint, workflow.COMPENSATION_CHAIN)
    approvals.decide(approval, verdict="return", reason="金额过高", by=world.head, now=now)
    complaint.refresh_from_db()
    assert complaint.compensation == Complaint.Compensation.RETURNED
    with pytest.raises(Invalid):
        workflow.record_result(complaint, result="x", by=world.responsible, now=now)
    complaint = workflow.record_contact(complaint, remedy="apology", **contact)
    assert complaint.compensation == Complaint.Compensation.NONE
    workflow.record_result(complaint, result="已致歉", by=world.responsible, now=now)


# --- key customers (CP-4) ----------------------------------------------------------------------


def test_cp4_a_key_customers_complaint_flags_the_general_manager_with_a_clock(world, now):
    complaint = accepted(world, now=now, customer=CustomerFactory(level=Customer.Level.KEY))
    assert complaint.gm_flag
    clock = clocks.open_clock(complaint, "complaint.gm_contact")
    assert clock.owner == world.gm
    assert clock.due_at == sh(2025, 11, 25, 18)  # 1 working day
    assert Outbox.objects.filter(event="complaint.gm", recipient=world.gm).exists()
    with pytest.raises(Forbidden):
        workflow.gm_contact(complaint, contact="x", by=world.quality, now=now)
    workflow.gm_contact(complaint, contact="总经理致电客户致歉", by=world.gm, now=now + timedelta(hours=1))
    assert complaints_clock(complaint, "complaint.gm_contact").state == ClockState.MET
    with pytest.raises(Conflict):
        workflow.gm_contact(complaint, contact="again", by=world.gm, now=now + timedelta(hours=2))


def test_cp4_an_ordinary_customer_does_not_flag_the_general_manager(world, now):
    complaint = accepted(world, now=now)
    assert not complaint.gm_flag
    assert clocks.open_clock(complaint, "complaint.gm_contact") is None


# --- verification and escalation (CP-5) --------------------------------------------------------


def test_cp5_verification_due_in_1_working_day_across_a_tiaoxiu_saturday(world):
    # Result back on Friday 10 Oct 2025; Saturday 11 Oct is a 调休 working day.
    friday = sh(2025, 10, 10, 10)
    complaint = result_back(world, now=friday)
    clock = clocks.open_clock(complaint, "complaint.verify")
    assert clock.owner == world.quality  # the supervisor who reviewed it
    assert clock.due_at == sh(2025, 10, 11, 18)


def test_cp5_satisfied_closes_the_complaint(world, now):
    complaint = result_back(world, now=now)
    workflow.verify(complaint, satisfied=True, opinion="客户表示满意", by=world.quality, now=now + timedelta(hours=3))
    complaint.refresh_from_db()
    assert complaint.status == S.CLOSED and complaint.satisfied is True and complaint.closed_at
    assert complaints_clock(complaint, "complaint.verify").state == ClockState.MET


def test_cp5_not_satisfied_escalates_to_the_vendor_until_solved(world, now):
    complaint = result_back(world, now=now)
    with pytest.raises(Invalid) as err:
        workflow.verify(complaint, satisfied=False, opinion="仍然不满意", by=world.quality, now=now)
    assert err.value.field == "vendor_contact"
    workflow.verify(
        complaint,
        satisfied=False,
        opinion="仍然不满意",
        vendor_contact="厂商服务开发部李工",
        sent="投诉经过与处理记录",
        by=world.quality,
        now=now,
    )
    complaint.refresh_from_db()
    assert complaint.status == S.ESCALATED
    escalation = VendorEscalation.objects.get(complaint=complaint)
    workflow.vendor_answer(escalation, answer="将更换主板", solved=False, by=world.quality, now=now)
    assert Complaint.objects.get(pk=complaint.pk).status == S.ESCALATED
    second = workflow.escalate_again(complaint, contact="李工", sent="再次催办", by=world.quality, now=now)
    workflow.vendor_answer(second, answer="主板已更换，客户确认", solved=True, by=world.quality, now=now)
    assert Complaint.objects.get(pk=complaint.pk).status == S.CLOSED


# --- vendor feedback (CP-7) --------------------------------------------------------------------


def test_cp7_vendor_complaint_result_fed_back_by_email_within_1_working_day(world):
    friday = sh(2025, 10, 10, 10)
    complaint = result_back(
        world,
        now=friday,
        source="vendor",
        vendor_ref="VD-118",
        vendor_contact="厂商王工",
        vendor_email="service@vendor.example.com",
    )
    clock = clocks.open_clock(complaint, "complaint.vendor_feedback")
    assert clock.due_at == sh(2025, 10, 11, 18)
    workflow.vendor_feedback(complaint, feedback="已重新上门并致歉，客户接受", by=world.quality, now=friday)
    mail = Outbox.objects.get(event="complaint.vendor_feedback")
    assert mail.channel == "email" and mail.address == "service@vendor.example.com"
    assert "VD-118" in mail.subject
    assert complaints_clock(complaint, "complaint.vendor_feedback").state == ClockState.MET
    with pytest.raises(Conflict):
        workflow.vendor_feedback(complaint, feedback="again", by=world.quality, now=friday)


def test_cp7_only_vendor_complaints_are_fed_back(world, now):
    complaint = result_back(world, now=now)
    with pytest.raises(Invalid):
        workflow.vendor_feedback(complaint, feedback="x", email="a@b.cn", by=world.quality, now=now)
    assert clocks.open_clock(complaint, "complaint.vendor_feedback") is None


# --- corrective and preventive actions (CP-6) --------------------------------------------------


def test_cp6_capa_owner_clock_evidence_and_check(world, now):
    complaint = contacted(world, now=now)
    action = workflow.add_action(
        complaint, description="修订派工路线规则", owner=world.responsible, by=world.quality, now=now
    )
    clock = clocks.open_clock(action, "complaint.capa")
    assert clock.owner == world.responsible
    assert clock.due_at == sh(2025, 12, 8, 18)  # 10 working days after Monday 24 Nov
    with pytest.raises(Forbidden):
        workflow.complete_action(action, evidence="x", by=world.head, now=now)
    with pytest.raises(Invalid):
        workflow.complete_action(action, evidence=" ", by=world.responsible, now=now)
    workflow.complete_action(action, evidence="新规则已发布", by=world.responsible, now=now + timedelta(days=2))
    assert complaints_clock(action, "complaint.capa").state == ClockState.MET
    with pytest.raises(Invalid):
        workflow.check_action(action, passed=False, note="", by=world.quality, now=now)
    workflow.check_action(action, passed=False, note="缺培训记录", by=world.quality, now=now + timedelta(days=3))
    assert CorrectiveAction.objects.get(pk=action.pk).status == CorrectiveAction.Status.OPEN
    assert clocks.open_clock(action, "complaint.capa") is not None
    workflow.complete_action(action, evidence="补充培训签到表", by=world.responsible, now=now + timedelta(days=4))
    workflow.check_action(action, passed=True, note="", by=world.quality, now=now + timedelta(days=5))
    assert CorrectiveAction.objects.get(pk=action.pk).status == CorrectiveAction.Status.CHECKED
