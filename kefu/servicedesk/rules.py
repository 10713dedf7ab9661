"""Permissions of the service desk (rules predicates: role and relation)."""

import rules

from kefu.customers.rules import is_portal_user_of
from kefu.org import roles
from kefu.org.rules import has_role, is_admin
from kefu.servicedesk.models import is_desk_staff, sees_own_visits_only

INTAKE_ROLES = (roles.HOTLINE, roles.CUSTOMER_REP, roles.SERVICE_DESK, roles.SERVICE_MANAGER, roles.CALL_CENTER)
HANDLER_ROLES = (*INTAKE_ROLES, roles.FIELD_ENGINEER)


@rules.predicate
def desk_staff(user) -> bool:
    return is_desk_staff(user)


@rules.predicate
def engineer_of_request(user, request) -> bool:
    """A field engineer and a request with an order dispatched to them (a list is scoped)."""
    if not sees_own_visits_only(user):
        return False
    return request is None or request.work_orders.filter(engineer=user).exists()


@rules.predicate
def is_owner(user, request) -> bool:
    return request is not None and request.owner_id == user.pk


@rules.predicate
def customer_of_request(user, request) -> bool:
    """The request's own organisation's portal login (a list: the list is already scoped)."""
    if request is None:
        return is_portal_user_of(user, None)
    return is_portal_user_of(user, request.customer)


@rules.predicate
def is_portal_user(user) -> bool:
    return is_portal_user_of(user, None)


manager = is_admin | has_role(roles.SERVICE_MANAGER)
handler = is_admin | has_role(*HANDLER_ROLES)

rules.add_perm("servicedesk.view_request_list", desk_staff | engineer_of_request)
rules.add_perm("servicedesk.view_request", desk_staff | customer_of_request | engineer_of_request)
rules.add_perm("servicedesk.add_request", is_admin | has_role(*INTAKE_ROLES))
# SR-3: the owner works on a request; the manager may step in. Nobody else changes it.
rules.add_perm("servicedesk.work", is_owner | manager)
rules.add_perm("servicedesk.take", handler)
rules.add_perm("servicedesk.transfer", is_owner | manager)
rules.add_perm("servicedesk.confirm", is_owner | manager | customer_of_request | has_role(roles.CUSTOMER_REP))
rules.add_perm("servicedesk.reopen", is_owner | manager | customer_of_request | has_role(roles.CUSTOMER_REP))
rules.add_perm("servicedesk.request_withdrawal", is_owner | manager)
rules.add_perm("servicedesk.review_withdrawal", is_admin | has_role(roles.CALL_CENTER))
rules.add_perm("servicedesk.submit_portal", is_portal_user)
rules.add_perm("servicedesk.hotline", is_admin | has_role(roles.HOTLINE, roles.SERVICE_MANAGER, roles.CALL_CENTER))
rules.add_perm("servicedesk.view_unsolved", manager)
rules.add_perm("servicedesk.close_loop", manager)
rules.add_perm("servicedesk.plan_duty", manager)
rules.add_perm("servicedesk.view_duty", desk_staff)
rules.add_perm("servicedesk.take_over", has_role(roles.HOTLINE, roles.SERVICE_MANAGER) | is_admin)
rules.add_perm("servicedesk.log_calls", is_admin | has_role(roles.HOTLINE, roles.SERVICE_MANAGER, roles.CALL_CENTER))
rules.add_perm("servicedesk.view_calls", desk_staff)
