"""Approval chains, declared by the domains that use them (from their AppConfig.ready()):

    chains.define(chains.Chain(
        key="plans.service_plan",
        label=_("客户服务计划审批"),
        steps=[chains.Step(_("客户关系部主任审批"), deciders=chains.relation("author_department_head"),
                           rule="approval.plan")],
        on_approved=plans_workflow.approved, on_returned=plans_workflow.returned,
        on_rejected=plans_workflow.rejected,
    ))

Who decides a step is a role (`chains.role("call_center")`) or a relation to the subject
(`chains.relation(name)`, whose resolver the domain registers with `chains.register_relation`).
A callback is `callback(subject, *, approval, step, by, now, reason)` and runs inside the
decision's transaction: it makes the subject's own move.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kefu.org.models import User

Deciders = Callable[[object], list[User]]
RELATIONS: dict[str, Deciders] = {}


@dataclass(frozen=True)
class Step:
    label: object
    deciders: Deciders
    rule: str


@dataclass(frozen=True)
class Chain:
    key: str
    label: object
    steps: Sequence[Step]
    on_approved: Callable | None = None
    on_returned: Callable | None = None
    on_rejected: Callable | None = None
    # The verdicts a decider may give: a chain without "return" has no revise-and-resubmit.
    verdicts: tuple[str, ...] = ("approve", "return", "reject")
    # Who may resubmit a returned approval, besides its submitter: (user, subject) → bool.
    may_resubmit: Callable | None = field(default=None)
    # The domain's own resubmission, `resubmit(subject, *, by, now, note)`, when the subject has a
    # move of its own to make (a returned plan goes back to 待审批); else the chain simply reruns.
    resubmit: Callable | None = None


CHAINS: dict[str, Chain] = {}


def define(chain: Chain) -> Chain:
    if not chain.steps:
        raise ValueError(f"approval chain {chain.key!r} has no steps")
    CHAINS[chain.key] = chain
    return chain


def get(key: str) -> Chain:
    try:
        return CHAINS[key]
    except KeyError:
        raise LookupError(f"no approval chain {key!r}; a domain defines it in its AppConfig.ready()") from None


def role(key: str) -> Deciders:
    """Everyone active holding the role, oldest account first."""

    def holders(_subject) -> list[User]:
        return list(User.objects.filter(is_active=True, groups__name=key).distinct().order_by("pk"))

    holders.description = key
    return holders


def register_relation(name: str, resolver: Deciders) -> None:
    RELATIONS[name] = resolver


def relation(name: str) -> Deciders:
    """The people a relation to the subject names (resolved when the step starts)."""

    def resolve(subject) -> list[User]:
        if name not in RELATIONS:
            raise LookupError(f"no approval relation {name!r}; register it with chains.register_relation")
        return [u for u in RELATIONS[name](subject) if u is not None and u.is_active]

    resolve.description = name
    return resolve
