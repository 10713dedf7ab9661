"""Permissions of the reports kit: a report names its own permission (`Report.perm`); managing
subscriptions is for the company's managers."""

import rules

from kefu.org import roles

SUBSCRIPTION_ROLES = frozenset(
    {roles.ADMIN, roles.SERVICE_MANAGER, roles.DEPT_HEAD, roles.GENERAL_MANAGER, roles.AFTERSALES_MANAGER}
)


@rules.predicate
def manages_subscriptions(user) -> bool:
    return (
        user.is_authenticated
        and not user.is_external
        and (user.is_superuser or bool(user.role_keys & SUBSCRIPTION_ROLES))
    )


rules.add_perm("reports.manage_subscriptions", manages_subscriptions)
