"""Who reads the problem summary (RPT-3): the management departments and the technical staff
it is reported to (seed 002 §5.2.5). Stations and customers never do."""

import rules

from kefu.org import roles

SUMMARY_ROLES = frozenset(
    {
        roles.ADMIN,
        roles.SERVICE_MANAGER,
        roles.DEPT_HEAD,
        roles.GENERAL_MANAGER,
        roles.AFTERSALES_MANAGER,
        roles.QUALITY,
        roles.CUSTOMER_REP,
        roles.HOTLINE,
        roles.SERVICE_DESK,
        roles.IMPL_DIRECTOR,
    }
)


@rules.predicate
def reads_summary(user) -> bool:
    return (
        user.is_authenticated and not user.is_external and (user.is_superuser or bool(user.role_keys & SUMMARY_ROLES))
    )


rules.add_perm("problems.view_summary", reads_summary)
