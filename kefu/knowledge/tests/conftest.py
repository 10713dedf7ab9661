import pytest


@pytest.fixture
def hotline(make_user):
    return make_user("hotline", username="hotline_kb", name="郑热线")


@pytest.fixture
def quality(make_user):
    return make_user("quality", username="quality_kb", name="蒋质检")


@pytest.fixture
def manager(make_user):
    return make_user("service_manager", username="manager_kb", name="吴经理")


@pytest.fixture
def library(hotline, quality, manager, now):
    from kefu.knowledge.tests.factories import demo_library

    return demo_library(hotline, quality, manager, now)
