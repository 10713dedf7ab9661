"""Permissions of satisfaction surveys and rectifications (RV-7)."""

import rules

from kefu.org.rules import is_admin
from kefu.surveys.models import ENTRY_ROLES, is_staff, manages_surveys


@rules.predicate
def manager(user) -> bool:
    return manages_surveys(user)


@rules.predicate
def staff(user) -> bool:
    return is_staff(user)


@rules.predicate
def enters_answers(user) -> bool:
    return is_staff(user) and bool(user.role_keys & ENTRY_ROLES)


@rules.predicate
def owns_rectification(user, item) -> bool:
    return item is not None and item.owner_id == user.pk


rules.add_perm("surveys.view_list", staff)
rules.add_perm("surveys.enter_answer", is_admin | enters_answers)
rules.add_perm("surveys.close_rectification", is_admin | manager | owns_rectification)
