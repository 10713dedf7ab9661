"""The rule table as shipped (FB-1): the categories and the keywords that suggest each. The
admin edits them afterwards (意见分类); migration 0002 writes these once."""

CATEGORIES = [
    ("attitude", "服务态度", "态度、不耐烦、不礼貌、热情、耐心、礼貌、敷衍、推诿、服务好、服务差、语气"),
    ("speed", "响应速度", "响应慢、太慢、及时、速度、等了、等待、拖延、一直没人、没人回、迟到、爽约、效率、尽快、很快"),
    ("skill", "技术能力", "技术、专业、水平、不会、解决不了、没解决、未解决、反复、多次、重复出现、熟练、经验"),
    ("quality", "产品质量", "故障、报错、bug、死机、崩溃、卡顿、不稳定、质量、缺陷、闪退、出错、数据错"),
    ("price", "价格费用", "价格、费用、收费、太贵、贵、报价、发票金额、续费、服务费、便宜"),
    ("other", "其他", ""),
]


def install(category_model) -> None:
    """Write the shipped categories where missing (migration 0002; tests that flush the table)."""
    for order, (key, name, keywords) in enumerate(CATEGORIES, start=1):
        category_model.objects.get_or_create(
            key=key, defaults={"name": name, "keywords": keywords, "order": order * 10}
        )
