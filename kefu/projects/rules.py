"""Permissions of implementation projects (role and relation): PRJ-1..PRJ-8.

The object of a project permission is a project, or something of one (a log, a phase, a plan
version, an acceptance): `_project(obj)` finds the project.
"""

import rules

from kefu.customers.rules import is_portal_user_of
from kefu.org import roles
from kefu.org.rules import has_role, is_admin
from kefu.projects.models import PROJECT_STAFF, Project, TeamMember, sees_all


def _project(obj):
    if obj is None or isinstance(obj, Project):
        return obj
    return getattr(obj, "project", None)


@rules.predicate
def is_director(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_role(roles.IMPL_DIRECTOR, roles.ADMIN))


@rules.predicate
def manages(user, obj) -> bool:
    project = _project(obj)
    return project is not None and project.manager_id == user.pk


@rules.predicate
def on_team(user, obj) -> bool:
    project = _project(obj)
    if project is None:
        return False
    return project.manager_id == user.pk or TeamMember.objects.filter(project=project, user=user).exists()


@rules.predicate
def customer_of(user, obj) -> bool:
    project = _project(obj)
    return project is not None and is_portal_user_of(user, project.customer)


@rules.predicate
def staff_reader(user) -> bool:
    return user.is_authenticated and not user.is_external and (sees_all(user) or bool(user.role_keys & PROJECT_STAFF))


@rules.predicate
def is_signer(user, book) -> bool:
    return book is not None and book.signer_id == user.pk


writes_books = is_admin | has_role(roles.SALES, roles.IMPL_DIRECTOR)
rules.add_perm("projects.view_list", staff_reader | has_role(roles.CUSTOMER))
rules.add_perm("projects.view_director_list", is_director | has_role(roles.GENERAL_MANAGER))
rules.add_perm("projects.view_taskbooks", writes_books | has_role(roles.GENERAL_MANAGER))
rules.add_perm("projects.write_taskbook", writes_books)
rules.add_perm("projects.change_taskbook", is_admin | is_signer)
rules.add_perm("projects.direct", is_director)
rules.add_perm("projects.manage", is_director | manages)
rules.add_perm("projects.work", is_director | on_team)
rules.add_perm("projects.sign", customer_of | is_director | manages)
rules.add_perm("projects.confirm_log", customer_of | is_director | manages)
rules.add_perm("projects.view_internal", staff_reader)
