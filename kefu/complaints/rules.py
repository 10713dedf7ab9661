"""Permissions of complaints and customer crises (CP-1..CP-9), by role and relation."""

import rules

from kefu.complaints.models import HEADQUARTERS_ROLES, SUPERVISOR_ROLES, oversees
from kefu.org import roles
from kefu.org.rules import has_role, is_admin, is_internal


@rules.predicate
def is_overseer(user) -> bool:
    return oversees(user)


@rules.predicate
def is_supervisor(user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(user.role_keys & SUPERVISOR_ROLES))


@rules.predicate
def is_headquarters(user) -> bool:
    return user.is_authenticated and not user.is_external and bool(user.role_keys & HEADQUARTERS_ROLES)


@rules.predicate
def heads_the_department(user, complaint) -> bool:
    """The head of the complaint's responsible department (CP-2, CP-3)."""
    department = getattr(complaint, "department", None)
    if department is None:
        return False
    return department.head_id == user.pk or (
        user.has_role(roles.DEPT_HEAD) and user.department_id == complaint.department_id
    )


@rules.predicate
def is_responsible(user, complaint) -> bool:
    return complaint is not None and complaint.responsible_id == user.pk


@rules.predicate
def is_station_of(user, complaint) -> bool:
    """A station's own crisis (CP-9): its master or engineers."""
    return complaint is not None and bool(complaint.station_id) and user.station_id == complaint.station_id


@rules.predicate
def is_station_user(user) -> bool:
    return user.is_authenticated and user.is_station_user


@rules.predicate
def owns_action(user, action) -> bool:
    return action is not None and action.owner_id == user.pk


@rules.predicate
def is_department_head(user) -> bool:
    return user.is_authenticated and user.has_role(roles.DEPT_HEAD)


handles = is_admin | heads_the_department | is_responsible

rules.add_perm("complaints.view_list", is_internal | is_station_user)
rules.add_perm("complaints.add", is_internal | is_station_user)
rules.add_perm("complaints.review", is_admin | is_supervisor)
rules.add_perm("complaints.assign_responsible", is_admin | heads_the_department)
rules.add_perm("complaints.handle", handles)
rules.add_perm("complaints.station_handle", is_admin | is_station_of | is_headquarters)
rules.add_perm("complaints.coordinate", is_admin | is_headquarters)
rules.add_perm("complaints.verify", is_admin | is_supervisor)
rules.add_perm("complaints.gm_contact", is_admin | has_role(roles.GENERAL_MANAGER))
rules.add_perm("complaints.add_action", is_admin | is_supervisor | heads_the_department)
rules.add_perm("complaints.complete_action", is_admin | owns_action)
rules.add_perm("complaints.check_action", is_admin | is_supervisor)
rules.add_perm("complaints.view_report", is_overseer | is_department_head)
rules.add_perm("complaints.publish_report", is_admin | is_supervisor)
