"""Demo customers with contacts, contracts and devices; the `customer` user sees the first one.

Created through the workflow functions (as the demo sales and customer representative), so
the archive, its audit events and the care column look as real use would leave them.
Idempotent: a customer whose name exists is skipped.
"""

from datetime import date, datetime, timedelta

from django.utils import timezone

from kefu.customers import workflow
from kefu.customers.models import Contact, Contract, Customer
from kefu.org.models import Region, User

# name, short, level, district code, address, industry, contact, title, mobile, email, contract
DEMO_CUSTOMERS = [
    (
        "上海明达精密机械有限公司",
        "明达机械",
        "vip",
        "310115",
        "张江路 368 号 5 号楼",
        "制造业",
        "王立军",
        "财务总监",
        "13816681234",
        "wanglj@mingda.example.com",
        "HT-2025-0101",
    ),
    (
        "杭州云帆电子商务股份有限公司",
        "云帆电商",
        "key",
        "330106",
        "文三路 478 号华星科技大厦 12 楼",
        "电子商务",
        "陈晓燕",
        "信息部经理",
        "13957112345",
        "chenxy@yunfan.example.com",
        "HT-2025-0102",
    ),
    (
        "北京华信达科技有限公司",
        "华信达",
        "normal",
        "110108",
        "中关村大街 27 号 8 层",
        "软件和信息技术服务",
        "刘洋",
        "IT 主管",
        "13601012345",
        "liuyang@hxd.example.com",
        "HT-2025-0103",
    ),
    (
        "广州粤海食品有限公司",
        "粤海食品",
        "key",
        "440106",
        "天河路 385 号 2 楼",
        "食品加工",
        "黄伟",
        "总经理助理",
        "13802212345",
        "huangwei@yuehai.example.com",
        "HT-2025-0104",
    ),
    (
        "成都锦程物流有限公司",
        "锦程物流",
        "normal",
        "510107",
        "人民南路四段 11 号",
        "物流",
        "张敏",
        "财务经理",
        "13908012345",
        "zhangmin@jincheng.example.com",
        "HT-2025-0105",
    ),
    (
        "南京金陵建材有限公司",
        "金陵建材",
        "normal",
        "320106",
        "中山北路 101 号",
        "建材",
        "赵强",
        "办公室主任",
        "13913812345",
        "zhaoq@jinling.example.com",
        "HT-2025-0106",
    ),
]


def load(now: datetime | None = None) -> int:
    now = now or timezone.now()
    users = {u.username: u for u in User.objects.filter(username__in=["sales", "customer_rep", "customer", "admin"])}
    sales, rep, admin = users.get("sales"), users.get("customer_rep"), users.get("admin")
    if not (sales and rep and admin):
        return 0
    created = 0
    today = timezone.localdate(now)
    for i, (name, short, level, district, address, industry, person, title, mobile, email, number) in enumerate(
        DEMO_CUSTOMERS
    ):
        # Keyed on the contract number (unique, never edited in the demo's story): a demo customer
        # renamed or deleted by a user is left as it is, never created twice.
        if Contract.all_objects.filter(number=number).exists() or Customer.all_objects.filter(name=name).exists():
            continue
        region = Region.objects.filter(pk=district).select_related("parent__parent").first()
        customer = workflow.create_customer(
            data={
                "name": name,
                "short_name": short,
                "level": level,
                "district": region,
                "city": region.parent if region else None,
                "province": region.parent.parent if region else None,
                "address": address,
                "industry": industry,
                "website": f"www.{number.lower()}.example.com",
                "business": "企业管理软件用户",
                "owner": rep,
            },
            contacts=[{"name": person, "title": title, "mobile": mobile, "email": email, "is_main": True}],
            by=sales,
            now=now - timedelta(days=40 - i),
            confirm_duplicate=True,
        )
        start = today - timedelta(days=30 - i)
        workflow.create_contract(
            customer,
            {
                "number": number,
                "signed_on": start,
                "products": "财务管理软件 V8 + 一年运维服务",
                "software_version": "V8.2",
                "modules": "总账、报表、固定资产、供应链",
                "dongle_no": f"SD{2025000 + i:07d}",
                "service_start": start,
                "service_end": date(start.year + 1, start.month, min(start.day, 28)),
                "service_terms": "7×12 小时热线；每 2 个月回访一次；每年上门巡检一次；重大故障 4 小时响应。",
                "sales": sales,
            },
            by=sales,
            now=now - timedelta(days=30 - i),
        )
        created += 1
    first_contract = Contract.objects.filter(number=DEMO_CUSTOMERS[0][-1]).select_related("customer").first()
    first = first_contract.customer if first_contract else None
    portal = users.get("customer")
    if first and portal and not Contact.objects.filter(portal_user=portal).exists():
        contact = Contact.objects.filter(customer=first, is_main=True).first()
        if contact:
            workflow.link_portal_user(contact, portal, by=admin, now=now)
            created += 1
    return created
