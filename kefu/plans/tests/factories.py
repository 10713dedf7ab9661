"""Personas and setup of service plans, through the workflow."""

from kefu.customers.tests.factories import ContractFactory, new_customer
from kefu.org.tests.factories import DepartmentFactory, UserFactory
from kefu.plans import workflow


def customer_relations():
    """A customer-relations department with its head and one customer representative."""
    head = UserFactory(roles=["dept_head"], name="周主任")
    department = DepartmentFactory(code="customer_relations", name="客户关系部", head=head)
    rep = UserFactory(roles=["customer_rep"], name="钱客代", department=department)
    return department, head, rep


def written_plan(rep, now, **data):
    customer = new_customer(rep, now=now)
    contract = ContractFactory(customer=customer)
    return workflow.create_plan(customer, contract=contract, data=data, by=rep, now=now)
