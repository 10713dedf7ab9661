"""Permissions of service plans (role and relation)."""

import rules

from kefu.customers.rules import is_portal_user_of
from kefu.org import roles
from kefu.org.rules import has_role, is_admin
from kefu.plans.models import READER_ROLES


@rules.predicate
def reads_plans(user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(user.role_keys & READER_ROLES)) and not user.is_external


@rules.predicate
def is_author(user, plan) -> bool:
    return plan is not None and plan.author_id == user.pk


@rules.predicate
def heads_authors_department(user, plan) -> bool:
    """The customer-relations head: head of the author's department (any head if the author has none)."""
    if plan is None or not user.has_role(roles.DEPT_HEAD):
        return plan is None and user.has_role(roles.DEPT_HEAD)
    department = plan.author.department
    return department is None or department.head_id == user.pk


@rules.predicate
def is_portal_user_of_plan(user, plan) -> bool:
    return plan is not None and is_portal_user_of(user, plan.customer)


rules.add_perm("plans.view_list", reads_plans | has_role(roles.CUSTOMER))
rules.add_perm("plans.write", is_admin | has_role(roles.CUSTOMER_REP))
rules.add_perm("plans.change", is_admin | (has_role(roles.CUSTOMER_REP) & is_author))
rules.add_perm("plans.approve", is_admin | (heads_authors_department & ~is_author))
rules.add_perm("plans.sign", is_admin | has_role(roles.CUSTOMER_REP) | is_portal_user_of_plan)
