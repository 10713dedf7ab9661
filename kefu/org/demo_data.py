"""The demo company: one user per role (username = role key, password kefu2026).

Every domain adds its demo data through `DEMO_LOADERS` (called in order after the org data);
each loader must be idempotent and return how many rows it created.
"""

from collections.abc import Callable
from datetime import datetime

from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from kefu.notify import outbox
from kefu.org import roles
from kefu.org.models import Company, Department, Region, Station, User

DEMO_PASSWORD = "kefu2026"  # noqa: S105 -- the documented demo password, demo data only

DEPARTMENTS = [
    ("service", "服务部"),
    ("customer_relations", "客户关系部"),
    ("implementation", "实施部"),
    ("quality", "质量管理部"),
    ("sales", "销售部"),
    ("call_center", "呼叫中心"),
    ("parts", "配件组"),
    ("aftersales", "售后管理部"),
    ("finance", "财务部"),
    ("management", "总经理办公室"),
]

# role key → (name, department code, station code, manager role)
DEMO_USERS = {
    roles.ADMIN: ("管理员", "management", None, None),
    roles.GENERAL_MANAGER: ("王建国", "management", None, None),
    roles.SALES: ("李销售", "sales", None, roles.GENERAL_MANAGER),
    roles.FIRST_VISIT: ("赵首访", "customer_relations", None, roles.DEPT_HEAD),
    roles.CUSTOMER_REP: ("钱客代", "customer_relations", None, roles.DEPT_HEAD),
    roles.SERVICE_DESK: ("孙专岗", "customer_relations", None, roles.DEPT_HEAD),
    roles.DEPT_HEAD: ("周主任", "customer_relations", None, roles.GENERAL_MANAGER),
    roles.SERVICE_MANAGER: ("吴经理", "service", None, roles.GENERAL_MANAGER),
    roles.HOTLINE: ("郑热线", "service", None, roles.SERVICE_MANAGER),
    roles.FIELD_ENGINEER: ("冯工程师", "service", None, roles.SERVICE_MANAGER),
    roles.IMPL_DIRECTOR: ("陈总监", "implementation", None, roles.GENERAL_MANAGER),
    roles.PROJECT_MANAGER: ("褚项目", "implementation", None, roles.IMPL_DIRECTOR),
    roles.CONSULTANT: ("卫顾问", "implementation", None, roles.PROJECT_MANAGER),
    roles.QUALITY: ("蒋质检", "quality", None, roles.GENERAL_MANAGER),
    roles.CALL_CENTER: ("沈坐席", "call_center", None, roles.AFTERSALES_MANAGER),
    roles.AFTERSALES_MANAGER: ("韩售后", "aftersales", None, roles.GENERAL_MANAGER),
    roles.PARTS_GROUP: ("杨配件", "parts", None, roles.AFTERSALES_MANAGER),
    roles.FINANCE: ("朱财务", "finance", None, roles.GENERAL_MANAGER),
    roles.STATION_MASTER: ("秦站长", None, "sh-pudong", None),
    roles.STATION_ENGINEER: ("尤维修", None, "sh-pudong", roles.STATION_MASTER),
    roles.CUSTOMER: ("许客户", None, None, None),
}
# A second station's master, so anyone can see that stations don't see each other's data.
EXTRA_USERS = {"station_master_b": ("何站长", None, "hz-xihu", None, roles.STATION_MASTER)}

STATIONS = [
    ("sh-pudong", "上海浦东维修站", "021-58880001", "上海市浦东新区张江路 88 号", "310115", ["310115", "310112"]),
    ("hz-xihu", "杭州西湖维修站", "0571-87770002", "浙江省杭州市西湖区文三路 199 号", "330106", ["330106", "330105"]),
]

DEMO_LOADERS: list[Callable[..., int]] = []  # loader(now=None) → rows created


def register(loader: Callable[..., int]) -> Callable[..., int]:
    if loader not in DEMO_LOADERS:
        DEMO_LOADERS.append(loader)
    return loader


def load(now: datetime | None = None) -> int:
    if not Region.objects.exists():
        call_command("loaddata", "regions", verbosity=0)
    created = 0
    with transaction.atomic():
        # The migration creates the role groups; a flushed test database needs them again.
        for key in roles.ROLE_KEYS:
            Group.objects.get_or_create(name=key)
        created += _load_org(now)
    for loader in DEMO_LOADERS:
        with transaction.atomic():
            created += loader(now=now)
    return created


def _load_org(now: datetime | None) -> int:
    created = 0
    company, new = Company.objects.get_or_create(
        name="演示科技有限公司",
        defaults={
            "short_name": "演示科技",
            "kind": Company.Kind.PROVIDER,
            "hotline": "400-800-8888",
            "service_email": "service@example.com",
            "address": "上海市浦东新区世纪大道 100 号",
        },
    )
    created += new
    departments = {}
    for code, name in DEPARTMENTS:
        departments[code], new = Department.objects.get_or_create(
            code=code, defaults={"company": company, "name": name}
        )
        created += new
    stations = {}
    for code, name, phone, address, region, covered in STATIONS:
        station, new = Station.objects.get_or_create(
            code=code,
            defaults={"company": company, "name": name, "phone": phone, "address": address, "region_id": region},
        )
        if new:
            station.regions.set(covered)
        stations[code] = station
        created += new

    users = {}
    specs = {key: (*spec, key) for key, spec in DEMO_USERS.items()} | EXTRA_USERS
    for username, (name, dept, station, _manager, role) in specs.items():
        user, new = User.objects.get_or_create(
            username=username,
            defaults={
                "name": name,
                "email": f"{username}@example.com",
                "employee_no": None if role in roles.EXTERNAL_ROLES else f"E{len(users) + 1001}",
                "department": departments.get(dept),
                "station": stations.get(station),
                "is_staff": role == roles.ADMIN,
                "is_superuser": role == roles.ADMIN,
            },
        )
        if new:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=role))
            created += 1
        users[username] = user
    for username, (*_rest, manager, _role) in specs.items():
        user = users[username]
        if manager and user.manager_id is None:
            user.manager = users[manager]
            user.save(update_fields=["manager"])
    heads = {
        "customer_relations": roles.DEPT_HEAD,
        "service": roles.SERVICE_MANAGER,
        "implementation": roles.IMPL_DIRECTOR,
        "quality": roles.QUALITY,
        "aftersales": roles.AFTERSALES_MANAGER,
        "management": roles.GENERAL_MANAGER,
    }
    for code, role in heads.items():
        if departments[code].head_id is None:
            departments[code].head = users[role]
            departments[code].save(update_fields=["head"])

    now = now or timezone.now()
    for user in users.values():
        created += outbox.enqueue(
            "demo.welcome",
            user,
            to=[user],
            key=f"demo.welcome:{user.pk}",
            subject="欢迎使用 Kefu 客服管理系统",
            body="工作台列出您的待办和时限；右上角的铃铛是通知。",
            link="/",
            now=now,
        )
    return created
