"""Permissions of the org domain, as rules predicates (role and relation)."""

import rules

from kefu.org import roles


@rules.predicate
def is_admin(user) -> bool:
    return user.is_superuser or user.has_role(roles.ADMIN)


def has_role(*keys: str):
    """Predicate: the user holds any of these roles."""

    @rules.predicate(name=f"has_role({','.join(keys)})")
    def predicate(user) -> bool:
        return user.is_authenticated and user.has_role(*keys)

    return predicate


@rules.predicate
def is_internal(user) -> bool:
    return user.is_authenticated and user.has_internal_role


@rules.predicate
def is_member_of_station(user, station) -> bool:
    return station is not None and user.station_id == station.pk


can_manage_stations = is_admin | has_role(roles.AFTERSALES_MANAGER, roles.CALL_CENTER)

rules.add_perm("org.view_station_list", is_internal | has_role(*roles.STATION_ROLES))
rules.add_perm("org.view_station", is_internal | is_member_of_station)
rules.add_perm("org.change_station", is_admin | has_role(roles.AFTERSALES_MANAGER))
rules.add_perm("org.retire_station", is_admin | has_role(roles.AFTERSALES_MANAGER))
rules.add_perm("org.view_user_list", is_internal | has_role(roles.STATION_MASTER))
rules.add_perm("org.view_department_list", is_internal)
rules.add_perm("core.view_api_docs", is_internal)
rules.add_perm("core.admin_site", is_admin)
