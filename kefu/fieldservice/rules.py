"""Permissions of onsite service (rules predicates: role and relation)."""

import rules

from kefu.fieldservice.models import sees_all_orders
from kefu.org import roles
from kefu.org.rules import has_role, is_admin, is_internal

managers = is_admin | has_role(roles.SERVICE_MANAGER, roles.AFTERSALES_MANAGER)


@rules.predicate
def is_order_engineer(user, order) -> bool:
    return order is not None and order.engineer_id == user.pk


@rules.predicate
def is_field_engineer(user) -> bool:
    return user.is_authenticated and not user.is_external and user.has_role(roles.FIELD_ENGINEER)


@rules.predicate
def sees_all(user) -> bool:
    return sees_all_orders(user)


requesters = is_internal & (
    is_admin | has_role(roles.HOTLINE, roles.SERVICE_DESK, roles.SERVICE_MANAGER, roles.CUSTOMER_REP)
)

rules.add_perm("fieldservice.request_onsite", requesters)
rules.add_perm("fieldservice.view_list", sees_all | is_field_engineer)
rules.add_perm("fieldservice.view_order", sees_all | is_order_engineer)
rules.add_perm("fieldservice.view_board", managers)
rules.add_perm("fieldservice.verify", managers)
rules.add_perm("fieldservice.dispatch", managers)
# The engineer's own steps on the order (OS-2..OS-4).
rules.add_perm("fieldservice.work", is_order_engineer)
rules.add_perm("fieldservice.write_off", is_order_engineer | managers)
rules.add_perm("fieldservice.escalate", is_order_engineer | managers)
rules.add_perm("fieldservice.resolve_escalation", managers)
rules.add_perm("fieldservice.archive", is_admin | has_role(roles.SERVICE_DESK))
rules.add_perm("fieldservice.qa_sample", managers)
rules.add_perm("fieldservice.qa_review", managers | has_role(roles.QUALITY, roles.SERVICE_DESK))
rules.add_perm("fieldservice.consult", is_admin | has_role(roles.AFTERSALES_MANAGER, roles.SERVICE_MANAGER))
rules.add_perm("fieldservice.wait", is_order_engineer | managers)
