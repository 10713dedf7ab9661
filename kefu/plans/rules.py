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
def is_portal_user_of_plan(user, plan) -> bool:
    return plan is not None and is_portal_user_of(user, plan.customer)


rules.add_perm("plans.view_list", reads_plans | has_role(roles.CUSTOMER))
rules.add_perm("plans.write", is_admin | has_role(roles.CUSTOMER_REP))
rules.add_perm("plans.change", is_admin | (has_role(roles.CUSTOMER_REP) & is_author))
rules.add_perm("plans.sign", is_admin | has_role(roles.CUSTOMER_REP) | is_portal_user_of_plan)
