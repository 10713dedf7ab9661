"""Permissions of the first visit (role and relation)."""

import rules

from kefu.firstvisit.models import sees_first_visits
from kefu.org import roles
from kefu.org.rules import has_role, is_admin


@rules.predicate
def follows_first_visits(user) -> bool:
    return sees_first_visits(user)


@rules.predicate
def heads_a_department(user) -> bool:
    return (
        user.is_authenticated
        and not user.is_external
        and user.has_role(
            roles.DEPT_HEAD,
            roles.SERVICE_MANAGER,
            roles.IMPL_DIRECTOR,
            roles.QUALITY,
            roles.AFTERSALES_MANAGER,
            roles.GENERAL_MANAGER,
        )
    )


rules.add_perm("firstvisit.view_list", follows_first_visits)
rules.add_perm("firstvisit.view_needs", follows_first_visits | heads_a_department)
rules.add_perm("firstvisit.hand_over", is_admin | has_role(roles.SALES))
rules.add_perm("firstvisit.work", is_admin | has_role(roles.FIRST_VISIT))
rules.add_perm("firstvisit.change_template", is_admin | has_role(roles.DEPT_HEAD))
