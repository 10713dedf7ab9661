"""Realistic Chinese customers for the archive benchmarks (CRM, QS-5).

Company names "<城市><字号><行业>有限公司", people's names from common surnames and given-name
characters, addresses in real 省/市/区 from kefu/org/fixtures/regions.json with street and
number, mobiles 13x–19x. Deterministic for a seed. Imported by bench/bench_customers.py.
"""

import json
import random
from pathlib import Path

REGIONS = Path(__file__).resolve().parents[1] / "kefu" / "org" / "fixtures" / "regions.json"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英建华文辉玉兰萍红梅鑫波斌宇浩凯晨欣怡子涵梓轩雨婷思远嘉怡佳琪志强海燕春梅国庆建国立新晓东丹丹"
BRANDS = [
    "瑞丰",
    "恒达",
    "鼎盛",
    "宏远",
    "华信",
    "金桥",
    "新天",
    "博雅",
    "德润",
    "永盛",
    "天成",
    "正泰",
    "鸿运",
    "兴业",
    "嘉禾",
    "汇通",
    "中科",
    "创新",
    "卓越",
    "明达",
    "顺发",
    "联合",
    "东方",
    "腾飞",
    "锦程",
    "云帆",
    "海通",
    "长城",
    "富力",
    "安泰",
    "凯旋",
    "盛世",
    "远航",
    "星辰",
    "精工",
    "通达",
    "华美",
    "宝丰",
    "同创",
    "时代",
]
INDUSTRIES = [
    "机械",
    "电子",
    "科技",
    "贸易",
    "物流",
    "食品",
    "纺织",
    "建材",
    "化工",
    "医药",
    "软件",
    "信息技术",
    "商贸",
    "实业",
    "餐饮管理",
    "文化传媒",
    "环保科技",
    "新材料",
    "汽车配件",
    "精密仪器",
    "生物科技",
    "家具",
    "服饰",
    "农业发展",
    "建筑工程",
]
SUFFIXES = ("有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司")
STREETS = [
    "人民路",
    "解放路",
    "中山路",
    "建设路",
    "和平路",
    "胜利路",
    "文化路",
    "新华路",
    "学府路",
    "科技路",
    "长江路",
    "黄河路",
    "工业大道",
    "创业大道",
    "世纪大道",
    "滨江路",
    "花园路",
    "青年路",
    "南京路",
    "北京路",
]


def regions() -> list[tuple[str, str, str, str, str, str]]:
    """(province code, name, city code, name, district code, name) for every district."""
    rows = json.loads(REGIONS.read_text())
    by_code = {r["pk"]: r for r in rows}
    out = []
    for r in rows:
        if r["fields"]["level"] != 3:
            continue
        city = by_code[r["fields"]["parent"]]
        province = by_code[city["fields"]["parent"]]
        out.append(
            (
                province["pk"],
                province["fields"]["name"],
                city["pk"],
                city["fields"]["name"],
                r["pk"],
                r["fields"]["name"],
            )
        )
    return out


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def company(rng: random.Random, place: str, n: int) -> tuple[str, str]:
    """(full name, short name); n keeps names unique across a large run."""
    city = place.replace("市", "").replace("市辖区", "")[:3] or "中国"
    brand = rng.choice(BRANDS) + (rng.choice(BRANDS)[:1] if n >= 1000 else "")
    industry = rng.choice(INDUSTRIES)
    short = f"{brand}{industry}"
    return f"{city}{brand}{industry}{n:06d}{rng.choice(SUFFIXES)}", short


def address(rng: random.Random, district: str) -> str:
    return f"{district}{rng.choice(STREETS)} {rng.randrange(1, 999)} 号"
