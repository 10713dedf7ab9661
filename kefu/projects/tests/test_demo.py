"""Demo data of implementation projects (issue 17): projects in several states for the demo
company, made through the workflow, idempotent; every page renders for the demo users."""

import pytest
from django.urls import reverse

from kefu.deadlines.models import OPEN_STATES, Clock
from kefu.org.demo_data import load
from kefu.org.models import User
from kefu.projects.models import DailyLog, Phase, Project, TaskBook
from kefu.visits.models import ReturnVisit

pytestmark = pytest.mark.django_db


def test_demo_projects_in_several_states_idempotent_and_their_pages_render(client):
    load()
    assert set(Project.objects.values_list("status", flat=True)) == {"implementing", "planning", "paused", "final"}
    assert TaskBook.objects.filter(status=TaskBook.Status.SUBMITTED).count() == 1
    assert DailyLog.objects.filter(status=DailyLog.Status.SUBMITTED).exists()
    assert Phase.objects.filter(status=Phase.Status.REVIEWED).exists()
    assert ReturnVisit.objects.filter(kind="project_final").exists()
    assert Clock.objects.filter(rule__key__startswith="project.", state__in=OPEN_STATES).exists()
    count = Project.objects.count()
    assert load() == 0 or Project.objects.count() == count
    assert Project.objects.count() == count
    customer = User.objects.get(username="customer")
    for username in ("impl_director", "project_manager", "consultant", "customer"):
        client.force_login(User.objects.get(username=username))
        assert client.get(reverse("workbench")).status_code == 200, username
        assert client.get(reverse("projects:list")).status_code == 200, username
        assert client.get(reverse("projects:logs")).status_code == 200, username
        for project in Project.objects.visible_to(User.objects.get(username=username)):
            assert client.get(project.get_absolute_url()).status_code == 200, (username, project)
    assert Project.objects.visible_to(customer).count() == 1
