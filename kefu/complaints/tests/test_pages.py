"""Complaint pages: list and export, intake, the steps as forms, the PDF, the workbench (CP-1..CP-6)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from kefu.complaints import workflow
from kefu.complaints.models import Complaint
from kefu.complaints.tests.factories import World, accepted, handling, new_complaint
from kefu.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
S = Complaint.Status


@pytest.fixture
def world(db):
    return World()


def test_cp1_the_intake_form_registers_a_complaint(client, world):
    customer = CustomerFactory()
    client.force_login(world.desk)
    assert client.get(reverse("complaints:create")).status_code == 200
    r = client.post(
        reverse("complaints:create"),
        {
            "customer": customer.pk,
            "title": "投诉工程师",
            "content": "迟到",
            "type": "attitude",
            "source": "customer",
            "channel": "hotline",
        },
    )
    complaint = Complaint.objects.get()
    assert r.status_code == 302 and r["Location"] == complaint.get_absolute_url()
    assert complaint.customer == customer and complaint.received_by == world.desk


def test_cp1_the_intake_form_keeps_what_was_typed_on_an_error(client, world):
    client.force_login(world.desk)
    r = client.post(reverse("complaints:create"), {"customer": CustomerFactory().pk, "title": "投诉", "content": ""})
    assert r.status_code == 200
    assert "请填写投诉内容。" in r.content.decode()
    assert not Complaint.objects.exists()


def test_cp2_to_cp5_the_steps_as_page_forms(client, world, now):
    complaint = new_complaint(world, now=now)
    client.force_login(world.quality)
    page = client.get(complaint.get_absolute_url()).content.decode()
    assert 'data-testid="accept-form"' in page
    url = lambda a: reverse("complaints:action", args=[complaint.pk, a])  # noqa: E731
    client.post(url("accept"), {"department": world.department.pk, "type": "attitude"})
    assert Complaint.objects.get(pk=complaint.pk).status == S.ASSIGNED
    client.force_login(world.head)
    assert 'data-testid="responsible-form"' in client.get(complaint.get_absolute_url()).content.decode()
    client.post(url("responsible"), {"cause": "沟通不当", "responsible": world.head.pk})
    client.post(url("contact"), {"measures": "致歉", "remedy": "apology", "contact_record": "已致歉"})
    client.post(url("result"), {"result": "客户接受"})
    assert Complaint.objects.get(pk=complaint.pk).status == S.RESULT
    client.force_login(world.quality)
    r = client.post(url("verify"), {"satisfied": "1", "opinion": "满意"})
    assert r.status_code == 302
    assert Complaint.objects.get(pk=complaint.pk).status == S.CLOSED
    client.post(url("capa"), {"kind": "preventive", "description": "培训", "owner": world.responsible.pk})
    action = complaint.actions.get()
    client.force_login(world.responsible)
    client.post(url("capa_done"), {"capa": action.pk, "evidence": "已培训"})
    client.force_login(world.quality)
    client.post(url("capa_check"), {"capa": action.pk, "passed": "1"})
    action.refresh_from_db()
    assert action.status == "checked"


def test_cp2_a_failed_step_says_why_and_changes_nothing(client, world, now):
    complaint = new_complaint(world, now=now)
    client.force_login(world.quality)
    r = client.post(reverse("complaints:action", args=[complaint.pk, "invalid"]), {"explanation": ""}, follow=True)
    assert "请填写向客户所作的解释。" in r.content.decode()
    assert Complaint.objects.get(pk=complaint.pk).status == S.NEW


def test_cp1_registration_form_pdf(client, world, now):
    complaint = accepted(world, now=now)
    client.force_login(world.quality)
    r = client.get(reverse("complaints:pdf", args=[complaint.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")


def test_the_list_and_its_export_show_the_same_rows(client, world, now):
    for _ in range(3):
        new_complaint(world, now=now)
    workflow.archive_invalid(new_complaint(world, now=now), explanation="合同外", by=world.quality, now=now)
    client.force_login(world.quality)
    page = client.get(reverse("complaints:list")).content.decode()
    assert page.count('data-object="complaints.complaint:') == 4
    r = client.get(reverse("complaints:list") + "?status=invalid")
    assert r.content.decode().count('data-object="complaints.complaint:') == 1
    export = client.get(reverse("exports:start", args=["complaints:list"]) + "?status=open")
    assert export.status_code == 200


def test_cp6_open_capa_and_the_3_hour_contact_on_the_owners_workbench(client, world, now):
    complaint = handling(world, now=now)
    workflow.add_action(complaint, description="改进派工", owner=world.responsible, by=world.quality, now=now)
    client.force_login(world.responsible)
    page = client.get(reverse("workbench")).content.decode()
    assert 'data-testid="complaint-todo"' in page
    assert 'data-testid="my-capa"' in page
    assert 'data-clock="complaint.contact"' in page


def test_cp4_the_gm_sees_the_key_customers_complaint_with_its_clock(client, world, now):
    from kefu.customers.models import Customer

    accepted(world, now=now, customer=CustomerFactory(level=Customer.Level.VIP))
    client.force_login(world.gm)
    assert 'data-clock="complaint.gm_contact"' in client.get(reverse("workbench")).content.decode()


def test_list_page_queries_are_bounded(client, world, now, django_assert_max_num_queries):
    for i in range(20):
        new_complaint(world, now=now + timedelta(minutes=i))
    client.force_login(world.quality)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("complaints:list")).status_code == 200


def test_cp1_the_customer_page_lists_the_customers_complaints(client, world, now):
    complaint = new_complaint(world, now=now)
    client.force_login(world.quality)
    page = client.get(reverse("customers:detail", args=[complaint.customer_id])).content.decode()
    assert 'data-testid="customer-complaints"' in page and complaint.number in page
    assert f"{reverse('complaints:create')}?customer={complaint.customer_id}" in page


def test_cp1_an_unsatisfied_survey_answer_is_escalated_to_a_complaint_from_its_page(client, world, now):
    """The supervisor opens an unsatisfied survey answer, clicks 转为投诉, finds the form filled
    from it (customer, channel, rating and comment, who served) and registers it: the complaint
    is about what was surveyed (the request)."""
    from django.contrib.contenttypes.models import ContentType

    from kefu.servicedesk.models import ServiceRequest
    from kefu.surveys.models import Survey

    customer = CustomerFactory()
    req = ServiceRequest.objects.create(
        number="SR-CP1-1",
        customer=customer,
        channel="phone",
        title="打印机卡纸",
        phenomenon="卡纸",
        created_by=world.desk,
        created_at=now,
        updated_at=now,
    )
    survey = Survey.objects.create(
        content_type=ContentType.objects.get_for_model(req),
        object_id=str(req.pk),
        subject_label="服务请求 SR-CP1-1",
        customer=customer,
        served_by=world.responsible,
        status="answered",
        rating=1,
        comment="等了三天没人来",
        answered_at=now,
        created_at=now,
        expires_at=now + timedelta(days=7),
    )
    client.force_login(world.quality)
    page = client.get(reverse("surveys:detail", args=[survey.pk])).content.decode()
    assert f'href="/complaints/new/?survey={survey.pk}"' in page
    url = f"{reverse('complaints:create')}?survey={survey.pk}"
    form = client.get(url).content.decode()
    assert "满意度调查不满意：服务请求 SR-CP1-1" in form and "等了三天没人来" in form and "责任工程师" in form
    assert f'name="customer" id="customer-id" value="{customer.pk}"' in form
    r = client.post(
        url,
        {
            "customer": customer.pk,
            "title": "满意度调查不满意：服务请求 SR-CP1-1",
            "content": "评分 1 分、等了三天没人来",
            "channel": "survey",
            "source": "customer",
            "type": "timeliness",
        },
    )
    complaint = Complaint.objects.get()
    assert r.status_code == 302 and complaint.channel == "survey" and complaint.subject == req
    satisfied = Survey.objects.filter(pk=survey.pk)
    satisfied.update(rating=5)
    assert "escalate-complaint" not in client.get(reverse("surveys:detail", args=[survey.pk])).content.decode()
