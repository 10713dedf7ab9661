"""How requests become problems (RPT-3): pure functions, no database.

A request's problem is its problem-library article when it has one, otherwise the requests of
similar phenomenon. Similarity is read from the search tokens (`kefu.search.tokens`): the
phenomenon is cut into words as the typing aid cuts it (jieba words minus the stop words,
each as its CJK bigrams, model numbers and fault codes as words), and two texts are compared
by the Dice coefficient of those token sets, 2·|A∩B| / (|A| + |B|).

Words that say nothing of which problem it is (提示, 无法, 模块 …) are left out, and where both
texts quote an error message (“凭证号重复”), the messages decide: the same words around two
different messages are two problems.

- A request belongs to an article that names it as its source (the draft proposed from it),
  else to the article whose title and symptom are most similar, if at least ARTICLE_MATCH.
- The others are grouped greedily, oldest first: each joins the group whose first request is
  most similar, if at least SAME_PROBLEM, or starts a group of its own.
"""

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from kefu.search import tokens

SAME_PROBLEM = 0.65
ARTICLE_MATCH = 0.5
_VERSION = re.compile(r"^[Vv]?\d[\w.]*$")
_BEFORE_MODULE = re.compile(r"([\u4e00-\u9fff]{2})模块")
_MODULE_SPLIT = re.compile(r"[、,，;；/\s]+")
# Modules of the usual financial and ERP software, besides those named in contracts.
DEFAULT_MODULES = (
    "总账",
    "报表",
    "工资",
    "固定资产",
    "供应链",
    "存货",
    "发票",
    "应收",
    "应付",
    "成本",
    "出纳",
    "采购",
    "销售",
)


_GENERIC = frozenset(
    [
        "提示",
        "无法",
        "不能",
        "系统",
        "报错",
        "错误",
        "模块",
        "正常",
        "使用",
        "之后",
        "以后",
        "时候",
        "显示",
        "操作",
        "一个",
        "功能",
        "软件",
    ]
)
_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,40})[”\"」』]")


def _tokens(text: str) -> frozenset[str]:
    return frozenset(
        t for term in tokens.suggestion_tokens(text or "") for t in term.tokens if t not in _GENERIC and len(t) >= 2
    )


@dataclass(frozen=True)
class Features:
    """The search tokens of a phenomenon (bigrams of its words, codes as words) and those of
    the error messages it quotes."""

    words: frozenset[str]
    messages: frozenset[str] = frozenset()


def features(text: str) -> Features:
    quoted = " ".join(_QUOTED.findall(text or ""))
    return Features(_tokens(text), _tokens(quoted) if quoted else frozenset())


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def similarity(a: Features, b: Features) -> float:
    if a.messages and b.messages:
        return _dice(a.messages, b.messages)
    return _dice(a.words, b.words)


def product_version(product: str) -> tuple[str, str]:
    """ "财务软件 V8" → ("财务软件", "V8"): the last word is the version if it looks like one."""
    parts = (product or "").strip().rsplit(None, 1)
    if len(parts) == 2 and _VERSION.match(parts[1]):
        return parts[0], parts[1]
    return (product or "").strip(), ""


def module_vocabulary(contract_modules: Iterable[str]) -> tuple[str, ...]:
    """The known module names, longest first (so 固定资产 is found before 资产)."""
    names = set(DEFAULT_MODULES)
    for text in contract_modules:
        names.update(m for m in _MODULE_SPLIT.split(text or "") if len(m) >= 2)
    return tuple(sorted(names, key=lambda m: (-len(m), m)))


def module_of(text: str, vocabulary: tuple[str, ...]) -> str:
    """The module a phenomenon names: a known module name (earliest in the text), else the two
    characters before "模块"; "" when none."""
    text = text or ""
    found = [(text.find(m), m) for m in vocabulary if m in text]
    if found:
        return min(found, key=lambda f: (f[0], -len(f[1])))[1]
    m = _BEFORE_MODULE.search(text)
    return m.group(1) if m else ""


@dataclass
class Case:
    """One request, as grouping sees it."""

    pk: int
    text: str
    features: Features
    article: int | None = None  # an article naming it as its source


@dataclass
class Group:
    key: str  # "a<article pk>" or "s<first request pk>"
    article: int | None
    seed: Case
    members: list[Case] = field(default_factory=list)


def group(cases: list[Case], articles: dict[int, Features]) -> list[Group]:
    """Groups of `cases` (oldest first): by article (source, else similarity ≥ ARTICLE_MATCH),
    else by similar phenomenon (≥ SAME_PROBLEM to a group's first request)."""
    groups: dict[str, Group] = {}
    by_token: dict[str, list[str]] = {}  # token → keys of unlinked groups whose seed has it
    article_tokens: dict[str, list[int]] = {}
    for pk, feats in articles.items():
        for t in feats.words:
            article_tokens.setdefault(t, []).append(pk)
    for case in cases:
        article = case.article
        if article is None:
            near = {pk for t in case.features.words for pk in article_tokens.get(t, ())}
            score, best = max(((similarity(case.features, articles[pk]), -pk) for pk in near), default=(0.0, 0))
            if score >= ARTICLE_MATCH:
                article = -best
        if article is not None:
            key = f"a{article}"
            groups.setdefault(key, Group(key, article, case)).members.append(case)
            continue
        candidates = Counter(k for t in case.features.words for k in by_token.get(t, ()))
        scored = [(similarity(case.features, groups[k].seed.features), k) for k in candidates]
        best_score, best_key = max(scored, default=(0.0, ""))
        if best_score >= SAME_PROBLEM:
            groups[best_key].members.append(case)
            continue
        key = f"s{case.pk}"
        groups[key] = Group(key, None, case, [case])
        for t in case.features.words:
            by_token.setdefault(t, []).append(key)
    return list(groups.values())
