"""Connection rate (HL-8): calls logged by hand or imported from a CSV call log."""

import csv
import io
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from kefu.audit.service import record
from kefu.core.errors import Invalid
from kefu.core.permissions import require
from kefu.core.validation import text
from kefu.org import roles
from kefu.org.models import User
from kefu.servicedesk.models import (
    CallLog,
)

ANSWERED_WORDS = {"1", "true", "yes", "y", "是", "接通", "已接通", "answered"}
MISSED_WORDS = {"0", "false", "no", "n", "否", "未接", "未接通", "no answer", "missed", "busy"}
CSV_COLUMNS = ("id", "time", "caller", "engineer", "answered", "duration")


CALL_TIME_INVALID = _("来电时间须在一年以内，且不能晚于现在。")
DURATION_INVALID = _("通话秒数须在 0 到 86400 之间。")


def log_call(
    *,
    at: datetime,
    answered: bool,
    by: User,
    now: datetime,
    caller_phone: str = "",
    engineer: User | None = None,
    duration: int = 0,
) -> CallLog:
    """A call logged by hand (HL-8): a call of the last year, not one from the future."""
    require(by, "servicedesk.log_calls")
    if at > now + timedelta(minutes=5) or at < now - timedelta(days=366):
        raise Invalid(CALL_TIME_INVALID, field="at")
    if not 0 <= int(duration or 0) <= 24 * 3600:
        raise Invalid(DURATION_INVALID, field="duration")
    caller_phone = text(CallLog, "caller_phone", caller_phone)
    with transaction.atomic():
        call = CallLog.objects.create(
            at=at, answered=answered, caller_phone=caller_phone, engineer=engineer or by, duration=duration
        )
        record(call, "create", by=by, at=now, after=str(_("接通") if answered else _("未接")))
    return call


def import_call_log(text: str, *, by: User, now: datetime) -> tuple[int, list[str]]:
    """Import a phone system's CSV call log (HL-8): columns id,time,caller,engineer,answered,duration.

    All rows or none: any bad row is reported by line and nothing is saved. Rows already
    imported (same id) are skipped, so importing the same file twice adds nothing.
    """
    require(by, "servicedesk.log_calls")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise Invalid(_("话单缺少列：%(c)s") % {"c": ", ".join(missing)}, field="file")
    engineers = {u.username: u for u in User.objects.filter(groups__name__in=[roles.HOTLINE, roles.SERVICE_MANAGER])}
    rows, errors = [], []
    zone = timezone.get_current_timezone()
    for line, row in enumerate(reader, start=2):
        at = parse_datetime((row["time"] or "").strip())
        if at is None:
            errors.append(str(_("第 %(n)s 行：时间无效") % {"n": line}))
            continue
        if timezone.is_naive(at):
            at = at.replace(tzinfo=zone)
        flag = (row["answered"] or "").strip().lower()
        if flag not in ANSWERED_WORDS | MISSED_WORDS:
            errors.append(str(_("第 %(n)s 行：接通状态无效") % {"n": line}))
            continue
        name = (row["engineer"] or "").strip()
        if name and name not in engineers:
            errors.append(str(_("第 %(n)s 行：工程师 %(u)s 不存在") % {"n": line, "u": name}))
            continue
        duration = (row["duration"] or "0").strip()
        if not duration.isdigit():
            errors.append(str(_("第 %(n)s 行：通话秒数无效") % {"n": line}))
            continue
        rows.append(
            CallLog(
                at=at,
                caller_phone=(row["caller"] or "").strip()[:40],
                engineer=engineers.get(name),
                answered=flag in ANSWERED_WORDS,
                duration=int(duration),
                source=CallLog.Source.IMPORT,
                external_id=(row["id"] or "").strip()[:64] or None,
            )
        )
    if errors:
        return 0, errors
    with transaction.atomic():
        known = set(
            CallLog.objects.filter(external_id__in=[r.external_id for r in rows if r.external_id]).values_list(
                "external_id", flat=True
            )
        )
        fresh = [r for r in rows if r.external_id is None or r.external_id not in known]
        CallLog.objects.bulk_create(fresh, ignore_conflicts=True)
        record(by, "import_calls", by=by, at=now, after=str(len(fresh)), data={"rows": len(rows)})
    return len(fresh), []
