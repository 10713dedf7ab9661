"""Roles: Django groups whose name is a stable key. Labels are for display only.

The keys are part of the contract (demo users, rules, navigation, tests): never rename one.
"""

from django.utils.translation import gettext_lazy as _

ADMIN = "admin"
SALES = "sales"
FIRST_VISIT = "first_visit"
CUSTOMER_REP = "customer_rep"
SERVICE_DESK = "service_desk"
HOTLINE = "hotline"
SERVICE_MANAGER = "service_manager"
FIELD_ENGINEER = "field_engineer"
IMPL_DIRECTOR = "impl_director"
PROJECT_MANAGER = "project_manager"
CONSULTANT = "consultant"
QUALITY = "quality"
DEPT_HEAD = "dept_head"
GENERAL_MANAGER = "general_manager"
CALL_CENTER = "call_center"
STATION_MASTER = "station_master"
STATION_ENGINEER = "station_engineer"
PARTS_GROUP = "parts_group"
AFTERSALES_MANAGER = "aftersales_manager"
FINANCE = "finance"
CUSTOMER = "customer"

ROLE_LABELS = {
    ADMIN: _("系统管理员"),
    SALES: _("业务人员"),
    FIRST_VISIT: _("首访客服专员"),
    CUSTOMER_REP: _("客户代表"),
    SERVICE_DESK: _("客户服务专岗"),
    HOTLINE: _("热线工程师"),
    SERVICE_MANAGER: _("服务部经理"),
    FIELD_ENGINEER: _("服务工程师"),
    IMPL_DIRECTOR: _("实施部经理"),
    PROJECT_MANAGER: _("项目经理"),
    CONSULTANT: _("实施顾问"),
    QUALITY: _("质量监督员"),
    DEPT_HEAD: _("部门负责人"),
    GENERAL_MANAGER: _("总经理"),
    CALL_CENTER: _("呼叫中心"),
    STATION_MASTER: _("维修站站长"),
    STATION_ENGINEER: _("维修站工程师"),
    PARTS_GROUP: _("配件组"),
    AFTERSALES_MANAGER: _("售后经理"),
    FINANCE: _("财务"),
    CUSTOMER: _("客户"),
}
ROLE_KEYS = tuple(ROLE_LABELS)

# Roles whose scope is one repair station: they see only that station's data.
STATION_ROLES = frozenset({STATION_MASTER, STATION_ENGINEER})
# Roles outside the company: they see only their own organisation's data.
EXTERNAL_ROLES = STATION_ROLES | {CUSTOMER}
# Roles that manage people and see their team's obligations.
MANAGER_ROLES = frozenset(
    {ADMIN, SERVICE_MANAGER, IMPL_DIRECTOR, DEPT_HEAD, GENERAL_MANAGER, AFTERSALES_MANAGER, STATION_MASTER}
)
