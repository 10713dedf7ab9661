"""Fixtures of the deadline tests: subjects, personas, Shanghai instants.

The standard calendars and the rule table are written by `migrate` (post_migrate sync), so
every test database has them, exactly as a fresh installation does.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

SH = ZoneInfo("Asia/Shanghai")


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def department(db):
    from kefu.org.tests.factories import DepartmentFactory

    return DepartmentFactory(name="服务部")


@pytest.fixture
def subjects(db):
    """A few distinct subjects (departments), for tests that start several clocks."""
    from kefu.org.tests.factories import DepartmentFactory

    return [DepartmentFactory(name=f"对象{i}") for i in range(5)]


@pytest.fixture
def manager(make_user):
    return make_user("service_manager", name="吴经理")


@pytest.fixture
def engineer(make_user, manager):
    """A hotline engineer whose manager is the service manager."""
    return make_user("hotline", name="郑热线", manager=manager)
