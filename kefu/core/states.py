"""One state machine for every status field (issue 14 §1).

A domain declares, next to its model, the moves its status may make and the badge colour of
each status; labels come from the field's choices (Chinese source, English catalogue):

    REQUEST = states.Machine(
        ServiceRequest,
        moves={S.NEW: {S.IN_PROGRESS, S.SHELVED}, S.IN_PROGRESS: {S.SOLVED}, S.SOLVED: {S.CLOSED}},
        colours={S.NEW: "blue", S.SOLVED: "teal", S.CLOSED: "green"},
    )

and its workflow moves a row with one call, inside its own transaction:

    before = states.move(req, S.SOLVED, by=by, now=now, verb="request.solve", solved_at=now)

`move` re-reads the status (or takes the one the caller saw, `expected=`), checks the table,
runs the machine's `before_move` hook (e.g. a waiting request stops waiting), does the
conditional UPDATE — 0 rows means someone else moved first: Conflict (409) — stamps the
model's `updated_at`, refreshes the object and, given a verb, writes the audit event with the
before and after labels taken from the row. `{% status_badge obj %}` shows any status.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.errors import Conflict, Invalid

MOVE_NOT_ALLOWED = _("不能从“%(before)s”变为“%(after)s”。")
MOVED_BY_SOMEONE_ELSE = _("状态已变更（可能已被他人处理），请刷新后查看。")
COLOURS = {"blue", "azure", "green", "teal", "orange", "yellow", "red", "purple", "secondary", "dark", "cyan", "lime"}

MACHINES: dict[tuple[type, str], "Machine"] = {}
# The audit trail's `record(obj, verb, *, by, at, before, after, data)`: the audit app, one layer
# up, hands it in from its AppConfig.ready() (core imports no other app).
RECORDER: Callable | None = None


@dataclass(eq=False)
class Machine:
    model: type[models.Model]
    moves: dict[str, set[str]]
    colours: dict[str, str]
    field: str = "status"
    # Runs before the UPDATE, in the transaction: hook(obj, *, current, target, by, now).
    before_move: Callable | None = None
    # The message of a lost race (the default says someone else moved first).
    conflict: Any = MOVED_BY_SOMEONE_ELSE
    # The message of a move off the table, with %(before)s and %(after)s.
    not_allowed: Any = MOVE_NOT_ALLOWED
    stamps: tuple[str, ...] = ()
    # "row": the status is re-read before the move; "object": the status the caller saw is the
    # one the move starts from (a page acted on a stale view loses, 409).
    current_from: str = "row"

    def __post_init__(self) -> None:
        key = (self.model, self.field)
        if key in MACHINES:
            raise ValueError(f"{self.model.__name__}.{self.field} has a state machine already")
        names = {f.name for f in self.model._meta.get_fields()}
        if not self.stamps and "updated_at" in names:
            self.stamps = ("updated_at",)
        self.moves = {str(k): {str(t) for t in v} for k, v in self.moves.items()}
        self.colours = {str(k): v for k, v in self.colours.items()}
        MACHINES[key] = self

    @property
    def choices(self) -> dict[str, Any]:
        return dict(self.model._meta.get_field(self.field).flatchoices)

    @property
    def statuses(self) -> list[str]:
        return list(self.choices)

    def label(self, status: str) -> str:
        return str(self.choices.get(status, status))

    def colour(self, status: str) -> str:
        return self.colours.get(status, "secondary")

    def terminal(self) -> set[str]:
        return {s for s in self.statuses if not self.moves.get(s)}

    def allowed(self, current: str, target: str) -> bool:
        return target in self.moves.get(current, set())


def machine(model: type[models.Model] | models.Model, field: str = "status") -> Machine:
    cls = model if isinstance(model, type) else type(model)
    for klass in cls.__mro__:
        found = MACHINES.get((klass, field))
        if found is not None:
            return found
    raise LookupError(f"{cls.__name__}.{field} has no state machine (kefu.core.states.Machine)")


def move(
    obj: models.Model,
    target: str,
    *,
    by,
    now: datetime,
    verb: str | None = None,
    data: dict | None = None,
    field: str = "status",
    expected: str | None = None,
    conflict: Any = None,
    conflict_from: Iterable[str] = (),
    manager: models.Manager | None = None,
    where: dict | None = None,
    **fields,
) -> str:
    """Move `obj` from its status (re-read, or `expected`, the one the caller saw) to `target`;
    returns the status left. A move to where the row already is — or from a status listed in
    `conflict_from` — is a race lost (Conflict); any other move off the table is Invalid.
    `where` adds conditions the row must still meet (another field's state)."""
    m = machine(obj, field)
    rows = manager if manager is not None else type(obj)._default_manager
    if expected is not None:
        current = expected
    elif m.current_from == "object":
        current = getattr(obj, field)
    else:
        current = rows.filter(pk=obj.pk).values_list(field, flat=True).get()
    message = conflict or m.conflict
    if not m.allowed(current, target):
        if current == target or current in set(conflict_from):
            raise Conflict(message)
        raise Invalid(m.not_allowed % {"before": m.label(current), "after": m.label(target)})
    if m.before_move is not None:
        m.before_move(obj, current=current, target=target, by=by, now=now)
    stamps = {name: now for name in m.stamps if name not in fields}
    if not rows.filter(pk=obj.pk, **{field: current}, **(where or {})).update(**{field: target}, **stamps, **fields):
        raise Conflict(message)
    obj.refresh_from_db()
    if verb:
        if RECORDER is None:
            raise RuntimeError("kefu.audit is not installed: a move with a verb has nowhere to be audited")
        RECORDER(obj, verb, by=by, at=now, before=m.label(current), after=m.label(target), data=data)
    return current


def move_many(
    queryset: models.QuerySet, target: str, *, by, now: datetime, verb: str | None = None, field: str = "status"
) -> int:
    """Move every row of `queryset` that may make the move (each audited, given a verb); returns
    how many moved."""
    m = machine(queryset.model, field)
    moved = 0
    for obj in queryset.filter(**{f"{field}__in": [s for s in m.statuses if m.allowed(s, target)]}):
        try:
            move(obj, target, by=by, now=now, verb=verb, field=field)
        except Conflict:
            continue  # moved by someone else meanwhile: theirs stands
        moved += 1
    return moved


def badge(obj: models.Model, field: str = "status") -> dict[str, str]:
    m = machine(obj, field)
    status = getattr(obj, field)
    return {"status": status, "label": m.label(status), "colour": m.colour(status)}
