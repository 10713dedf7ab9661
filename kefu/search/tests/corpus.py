"""Generated after-sales texts for the search tests and bench/bench_search.py (seeded, no I/O)."""

import random

PRODUCTS = ["空调", "打印机", "财务软件", "税控盘", "热水器", "冰箱", "洗衣机", "针式打印机", "加密锁", "收银机"]
MODELS = ["KFR-35GW", "KFR-26GW", "E3", "E5", "F1", "HP1020", "LQ-630K", "V6.2", "U盘", "XQB80"]
PHENOMENA = [
    "不制冷",
    "卡纸",
    "凭证无法打印",
    "加密锁识别失败",
    "外机有异响",
    "显示故障码",
    "开机跳闸",
    "漏水",
    "缺墨",
    "打印字迹模糊",
    "凭证号断号",
    "不加热",
    "遥控器失灵",
    "登录提示密码错误",
    "报表数据不平",
    "开票失败",
    "数据库连接超时",
    "压缩机不启动",
    "屏幕闪烁",
    "跳纸",
]
FILLERS = [
    "客户反映",
    "用户来电称",
    "昨天开始",
    "多次报修",
    "请尽快上门",
    "已远程协助",
    "保修期内",
    "需更换主板",
    "已调试正常",
    "电话回访满意",
]
PUNCTUATION = ["，", "。", "；", "、", " ", "！", "：", ",", "（急）"]


def phrase(rng: random.Random) -> str:
    parts = [rng.choice(PRODUCTS)]
    if rng.random() < 0.4:
        parts.append(rng.choice(MODELS))
    parts.append(rng.choice(PHENOMENA))
    clauses = ["".join(parts)]
    for _ in range(rng.randint(0, 3)):
        clauses.append(rng.choice(FILLERS + PHENOMENA))
    rng.shuffle(clauses)
    text = clauses[0]
    for clause in clauses[1:]:
        text += rng.choice(PUNCTUATION) + clause
    return text


def texts(n: int, *, seed: int = 20251124) -> list[tuple[str, str]]:
    """n (title, body) pairs: a short title and a body of one to three phrases."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        title = phrase(rng)[:40]
        body = "。".join(phrase(rng) for _ in range(rng.randint(1, 3)))
        out.append((title, body))
    return out
