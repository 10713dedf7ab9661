"""Personas and setup of the first visit, through the workflow."""

from kefu.customers.tests.factories import ContractFactory, new_customer
from kefu.firstvisit import workflow
from kefu.org.tests.factories import DepartmentFactory, UserFactory


def specialist():
    return UserFactory(roles=["first_visit"], name="赵首访")


def sales():
    return UserFactory(roles=["sales"], name="李销售")


def handed_over(now, *, by=None, to=None, **customer):
    """A contract handed over by sales: the first visit it created (FV-1)."""
    by = by or sales()
    customer_obj = new_customer(UserFactory(roles=["customer_rep"]), now=now, **customer)
    contract = ContractFactory(customer=customer_obj)
    return workflow.hand_over(contract, by=by, now=now, specialist=to or specialist())


def department_with_head(code="implementation", name="实施部", role="dept_head"):
    head = UserFactory(roles=[role], name="周主任")
    return DepartmentFactory(code=code, name=name, head=head), head
