"""The problem summary's figures (RPT-3, seed 002 §5.2.5 客户问题的总结): one function reads the
requests of a window of periods as the user may see them and groups them (grouping.py).

Every figure, table and chart of the report is read from one `Summary` of the window ending
with the report's period (the last WINDOW periods), so the counts of a problem in the table and
in its trend are the same groups. Withdrawn requests (撤销) are no problems and are left out.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.contenttypes.models import ContentType

from kefu.customers.models import Contract
from kefu.knowledge.models import Article
from kefu.problems import grouping
from kefu.reports.periods import Period
from kefu.servicedesk.models import ServiceRequest

WINDOW = 6  # the report's period and the five before it
EXAMPLES = 3  # example requests shown per problem
CANDIDATE_MIN = 2  # a problem without an article seen this often in the period: 建议入库
TOP = 20  # rows of the most frequent problems


@dataclass
class Example:
    pk: int
    number: str
    title: str


@dataclass
class Problem:
    key: str
    title: str
    article: int | None
    article_title: str
    article_status: str
    counts: list[int]  # per period of the window, oldest first
    product: str
    version: str
    module: str
    examples: list[Example]  # the latest of the report's period
    draft_from: int | None  # the request a draft article would be proposed from

    @property
    def now(self) -> int:
        return self.counts[-1]

    @property
    def before(self) -> int:
        return self.counts[-2] if len(self.counts) > 1 else 0

    @property
    def candidate(self) -> bool:
        return self.article is None and self.now >= CANDIDATE_MIN


@dataclass
class Summary:
    periods: list[Period]
    problems: list[Problem]  # seen in the report's period, most frequent first
    all_problems: list[Problem]  # seen anywhere in the window
    requests: list[int] = field(default_factory=list)  # per period
    covered: list[int] = field(default_factory=list)  # of them, with an article

    def current(self) -> list[Problem]:
        return self.problems


def _most_common(values) -> str:
    counted = Counter(v for v in values if v)
    return counted.most_common(1)[0][0] if counted else ""


def product_names(user) -> list[str]:
    """The products of the requests the user may see (the report's product filter)."""
    raw = ServiceRequest.objects.visible_to(user).exclude(product="").values_list("product", flat=True).distinct()
    return sorted({grouping.product_version(p)[0] for p in raw} - {""})


_cache: dict[tuple, Summary] = {}


def summary(user, periods: list[Period], *, now: datetime, product: str = "") -> Summary:
    """The window's requests grouped into problems, each counted per period. Memoised for one
    build of the report (same user, periods, filter and `now`): the page's figures, tables and
    charts all read the same summary."""
    key = (user.pk, tuple((p.start, p.end) for p in periods), product, now)
    if key not in _cache:
        if len(_cache) > 16:
            _cache.clear()
        _cache[key] = _summary(user, periods, now=now, product=product)
    return _cache[key]


def _summary(user, periods: list[Period], *, now: datetime, product: str) -> Summary:
    lo, hi = periods[0].start, min(periods[-1].end, now)
    rows = list(
        ServiceRequest.objects.visible_to(user)
        .filter(created_at__gte=lo, created_at__lt=hi)
        .exclude(status=ServiceRequest.Status.WITHDRAWN)
        .order_by("created_at", "pk")
        .values("pk", "number", "title", "phenomenon", "product", "created_at")
    )
    if product:
        rows = [r for r in rows if grouping.product_version(r["product"])[0] == product]
    ct = ContentType.objects.get_for_model(ServiceRequest)
    sourced = dict(
        Article.objects.filter(source_type=ct, source_id__in=[str(r["pk"]) for r in rows]).values_list(
            "source_id", "pk"
        )
    )
    library = {a.pk: a for a in Article.objects.only("pk", "title", "symptom", "status")}
    articles = {pk: grouping.features(f"{a.title}\n{a.symptom}") for pk, a in library.items()}
    cases = [
        grouping.Case(
            r["pk"], r["phenomenon"], grouping.features(r["phenomenon"] or r["title"]), sourced.get(str(r["pk"]))
        )
        for r in rows
    ]
    by_pk = {r["pk"]: r for r in rows}
    vocabulary = grouping.module_vocabulary(Contract.objects.values_list("modules", flat=True).distinct())

    def period_of(at) -> int:
        return next(i for i, p in enumerate(periods) if p.start <= at < p.end)

    requests, covered = [0] * len(periods), [0] * len(periods)
    problems = []
    for g in grouping.group(cases, articles):
        members = [by_pk[c.pk] for c in g.members]
        counts = [0] * len(periods)
        for m in members:
            i = period_of(m["created_at"])
            counts[i] += 1
            requests[i] += 1
            if g.article is not None:
                covered[i] += 1
        latest = [m for m in reversed(members) if period_of(m["created_at"]) == len(periods) - 1]
        pv = [grouping.product_version(m["product"]) for m in members]
        article = library.get(g.article) if g.article else None
        seed = by_pk[g.seed.pk]
        problems.append(
            Problem(
                key=g.key,
                title=article.title if article else (seed["title"] or seed["phenomenon"])[:60],
                article=g.article,
                article_title=article.title if article else "",
                article_status=article.get_status_display() if article else "",
                counts=counts,
                product=_most_common(p for p, _v in pv),
                version=_most_common(v for _p, v in pv),
                module=_most_common(grouping.module_of(f"{m['title']} {m['phenomenon']}", vocabulary) for m in members),
                examples=[Example(m["pk"], m["number"], m["title"]) for m in latest[:EXAMPLES]],
                draft_from=(latest or list(reversed(members)))[0]["pk"],
            )
        )
    problems.sort(key=lambda p: (-p.now, -p.before, p.key))
    return Summary(periods, [p for p in problems if p.now], problems, requests, covered)


def breakdown(s: Summary, by: str) -> list[list]:
    """The report's period by product and version (one column, the chart's categories), or by module: requests, problems, candidates."""
    rows: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for p in s.problems:
        key = (" ".join(filter(None, (p.product, p.version))) or "—",) if by == "product" else (p.module or "—",)
        rows[key][0] += p.now
        rows[key][1] += 1
        rows[key][2] += int(p.candidate)
    ordered = sorted(rows.items(), key=lambda kv: (-kv[1][0], kv[0]))
    return [[*k, *v] for k, v in ordered]
