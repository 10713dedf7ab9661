"""RPT-4: the survey list exports the surveys its page shows; an engineer only those of their service."""

from datetime import datetime

import pytest
from django.urls import reverse

from kefu.customers.tests.factories import ContractFactory
from kefu.surveys import workflow
from tests.helpers.lists import export, page_count

pytestmark = pytest.mark.django_db


def test_rpt4_survey_export_is_scoped_and_filtered_like_the_page(client, make_user, now):
    desk = make_user("service_desk")
    engineer, other = make_user("field_engineer"), make_user("field_engineer")
    for served_by, rating in ((engineer, 1), (engineer, 5), (other, 4)):
        contract = ContractFactory()
        s = workflow.open_survey(contract, customer=contract.customer, served_by=served_by, by=desk, now=now)
        workflow.answer_by_phone(s, rating=rating, by=desk, now=now)
    client.force_login(desk)
    for params in ({}, {"unsatisfied": "1"}, {"status": "open"}):
        html = client.get(reverse("surveys:list"), params).content.decode()
        assert len(export(client, "surveys:list", params)) == 1 + page_count(html), params
    header, *rows = export(client, "surveys:list", {"unsatisfied": "1"})
    assert len(rows) == 1 and rows[0][header.index("评分")] == 1 and rows[0][header.index("整改")] == "待整改"
    assert isinstance(rows[0][header.index("发起时间")], datetime)
    client.force_login(engineer)
    html = client.get(reverse("surveys:list")).content.decode()
    assert page_count(html) == len(export(client, "surveys:list")) - 1 == 2
