"""Who sees the KPI dashboard: the managers of the service desk and field service (RPT-2).
Stations and customers never do: their world is their own station or organisation."""

import rules

from kefu.org import roles

DASHBOARD_ROLES = frozenset(
    {
        roles.ADMIN,
        roles.SERVICE_MANAGER,
        roles.DEPT_HEAD,
        roles.GENERAL_MANAGER,
        roles.AFTERSALES_MANAGER,
        roles.QUALITY,
    }
)


@rules.predicate
def reads_dashboard(user) -> bool:
    return (
        user.is_authenticated and not user.is_external and (user.is_superuser or bool(user.role_keys & DASHBOARD_ROLES))
    )


rules.add_perm("kpi.view_dashboard", reads_dashboard)
