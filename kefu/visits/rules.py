"""Permissions of return visits."""

import rules

from kefu.org.rules import is_admin
from kefu.visits.models import VISITOR_ROLES, manages_visits


@rules.predicate
def is_manager(user) -> bool:
    return manages_visits(user)


@rules.predicate
def makes_visits(user) -> bool:
    return user.is_authenticated and not user.is_external and bool(user.role_keys & VISITOR_ROLES)


@rules.predicate
def is_assignee(user, visit) -> bool:
    return visit is not None and visit.assignee_id == user.pk


rules.add_perm("visits.view_list", is_manager | makes_visits)
rules.add_perm("visits.view_overdue", is_manager)
rules.add_perm("visits.record_result", is_admin | is_assignee | is_manager)
rules.add_perm("visits.assign", is_manager)
rules.add_perm("visits.generate", is_admin)
