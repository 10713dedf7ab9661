"""Personas and requests of the service desk, made through the workflow (as users make them)."""

from kefu.customers.tests.factories import CustomerFactory, new_customer
from kefu.org.tests.factories import UserFactory
from kefu.servicedesk import workflow
from kefu.servicedesk.models import ServiceRequest


def hotline_engineer(**kwargs):
    manager = kwargs.pop("manager", None) or UserFactory(roles=["service_manager"], name="吴经理")
    return UserFactory(roles=["hotline"], name=kwargs.pop("name", "郑热线"), manager=manager, **kwargs)


def new_request(customer=None, *, by=None, now, **data) -> ServiceRequest:
    by = by or UserFactory(roles=["hotline"])
    customer = customer or new_customer(now=now)
    data.setdefault("channel", ServiceRequest.Channel.PHONE)
    data.setdefault("phenomenon", "打印凭证时提示“打印机未就绪”，无法打印")
    return workflow.create_request(customer, by=by, now=now, **data)


def station_world(customer) -> list:
    """A request of a customer in a station's region: a station must not see it (no station
    requests in this issue)."""
    by = UserFactory(roles=["hotline"])
    from datetime import datetime
    from zoneinfo import ZoneInfo

    req = workflow.create_request(
        customer,
        channel="phone",
        phenomenon="电视无法开机",
        by=by,
        now=datetime(2025, 11, 24, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
    )
    return [req]


__all__ = ["CustomerFactory", "hotline_engineer", "new_customer", "new_request", "station_world"]
