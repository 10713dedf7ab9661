"""REST API of the deadline engine (NT-2): preview, calendar days, rules, the workbench."""

import re
from datetime import datetime, time

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from kefu.core import words
from kefu.core.errors import Invalid
from kefu.core.permissions import require
from kefu.deadlines import calendars, selectors
from kefu.deadlines.models import KIND_CHOICES, Clock, DeadlineRule, WorkCalendar
from kefu.deadlines.spec import RuleSpec

BAD_START = _("开始时间格式有误，请使用 ISO 8601，例如 2025-09-30T17:00:00+08:00。")
UNKNOWN_CALENDAR = _("未知的工作日历：%(code)s")
UNKNOWN_RULE = _("未知的时限规则：%(key)s")
KIND_OR_RULE_REQUIRED = _("请提供 kind（计时类型）和 calendar（日历代码），或提供 rule（规则键）。")
NOT_AN_INTEGER = _("参数 %(name)s 必须是整数。")
NOT_A_TIME = _("参数 %(name)s 必须是 HH:MM 格式的时刻。")
NOT_ONE_OF = _("参数 %(name)s 须为以下之一：%(values)s。")
BAD_YEAR = _("参数 year 必须是 2000–2100 之间的年份。")
START_OUT_OF_RANGE = _("开始时间须在 2000–2100 年之间。")
NO_WORKING_TIME = _("该日历在很长一段时间内没有工作时间，无法计算截止时间。")

# "+08:00" arrives as " 08:00" when a client does not encode the plus sign.
_UNENCODED_PLUS = re.compile(r" (\d{2}:?\d{2})$")


class IsInternal(permissions.BasePermission):
    """Company staff only; stations and customers get 403."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.has_perm("deadlines.preview"))


def _int(params, name: str) -> int | None:
    raw = params.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise Invalid(NOT_AN_INTEGER % {"name": name}, field=name) from None


def _time(params, name: str) -> time | None:
    raw = params.get(name)
    if raw in (None, ""):
        return None
    try:
        return time.fromisoformat(raw)
    except ValueError:
        raise Invalid(NOT_A_TIME % {"name": name}, field=name) from None


def parse_start(raw: str | None, calendar: WorkCalendar, now: datetime) -> datetime:
    if not raw:
        return now
    try:
        value = datetime.fromisoformat(_UNENCODED_PLUS.sub(r"+\1", raw.strip()))
    except ValueError:
        raise Invalid(BAD_START, field="start") from None
    if not 2000 <= value.year <= 2100:
        raise Invalid(START_OUT_OF_RANGE, field="start")
    if value.tzinfo is None:
        value = value.replace(tzinfo=calendar.zone)
    return value


PREVIEW_PARAMETERS = [
    OpenApiParameter("rule", str, description="规则键（代替 kind/amount/calendar），如 hotline.shelved_reply"),
    OpenApiParameter("calendar", str, description="日历代码：office / hotline / station …"),
    OpenApiParameter("kind", str, enum=[k for k, _label in KIND_CHOICES]),
    OpenApiParameter("amount", int),
    OpenApiParameter("unit", str, enum=["minutes", "hours", "days"]),
    OpenApiParameter("weekday", int, description="0=周一 … 6=周日（weekday_time）"),
    OpenApiParameter("time", str, description="HH:MM（weekday_time / day_of_month）"),
    OpenApiParameter("day", int, description="每月几日（day_of_month）"),
    OpenApiParameter("cutoff", str, description="HH:MM：此前开始的当天算第 1 个工作日（working_days）"),
    OpenApiParameter("start", OpenApiTypes.DATETIME, description="ISO 8601；缺省为现在，无时区按日历时区"),
]


class PreviewView(APIView):
    """When would a request started at `start` be due? (CAL-3; the rule editor's live preview)."""

    @extend_schema(
        parameters=PREVIEW_PARAMETERS,
        responses=inline_serializer(
            "DeadlinePreview",
            {
                "due_at": serializers.DateTimeField(),
                "start": serializers.DateTimeField(),
                "calendar": serializers.CharField(),
                "kind": serializers.CharField(),
                "description": serializers.CharField(),
            },
        ),
    )
    def get(self, request):
        require(request.user, "deadlines.preview")
        params = request.query_params
        key = params.get("rule")
        if key:
            rule = DeadlineRule.objects.select_related("calendar").filter(key=key).first()
            if rule is None:
                raise Invalid(UNKNOWN_RULE % {"key": key}, field="rule")
            spec = RuleSpec.of_rule(rule)
            calendar = rule.calendar
        else:
            code, kind = params.get("calendar"), params.get("kind")
            if not code or not kind:
                raise Invalid(KIND_OR_RULE_REQUIRED)
            calendar = WorkCalendar.objects.filter(code=code).first()
            if calendar is None:
                raise Invalid(UNKNOWN_CALENDAR % {"code": code}, field="calendar")
            spec = RuleSpec.create(
                kind,
                amount=_int(params, "amount"),
                unit=params.get("unit") or "",
                weekday=_int(params, "weekday"),
                at=_time(params, "time"),
                day=_int(params, "day"),
                cutoff=_time(params, "cutoff"),
            )
        start = parse_start(params.get("start"), calendar, timezone.now())
        try:
            due = spec.due(calendars.snapshot(calendar), start)
        except ValueError:
            raise Invalid(NO_WORKING_TIME) from None
        zone = calendar.zone
        return Response(
            {
                "due_at": due.astimezone(zone).isoformat(),
                "start": start.astimezone(zone).isoformat(),
                "calendar": calendar.code,
                "kind": spec.kind.value,
                "description": spec.describe(),
            }
        )


class CalendarDaysView(APIView):
    """Every day of a year in one calendar: worked or not, and the holiday or 调休 name (CAL-1)."""

    @extend_schema(
        parameters=[OpenApiParameter("year", int, required=True)],
        responses=inline_serializer(
            "CalendarDay",
            {
                "date": serializers.DateField(),
                "is_workday": serializers.BooleanField(),
                "name": serializers.CharField(),
                "provisional": serializers.BooleanField(),
            },
            many=True,
        ),
    )
    def get(self, request, code):
        calendar = WorkCalendar.objects.filter(code=code).first()
        if calendar is None:
            raise Invalid(UNKNOWN_CALENDAR % {"code": code}, field="calendar")
        year = _int(request.query_params, "year") or timezone.localdate().year
        if not 2000 <= year <= 2100:
            raise Invalid(BAD_YEAR, field="year")
        days = selectors.year_days(calendar, year)
        return Response(
            [
                {"date": d.date.isoformat(), "is_workday": d.is_workday, "name": d.name, "provisional": d.provisional}
                for d in days
            ]
        )


@extend_schema_field({"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$", "example": "18:00"})
class HourMinuteField(serializers.TimeField):
    """A time of day as the rule editor shows it, "18:00" (OpenAPI's `time` format wants seconds)."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class EscalationSerializer(serializers.Serializer):
    offset_minutes = serializers.IntegerField()
    notify = serializers.CharField()


class RuleSerializer(serializers.ModelSerializer):
    calendar = serializers.SlugRelatedField(slug_field="code", read_only=True)
    time = HourMinuteField(source="at", allow_null=True)
    cutoff = HourMinuteField(allow_null=True)
    description = serializers.SerializerMethodField()
    escalations = EscalationSerializer(many=True, read_only=True)

    class Meta:
        model = DeadlineRule
        fields = [
            "key",
            "requirement",
            "name_zh",
            "name_en",
            "kind",
            "amount",
            "unit",
            "weekday",
            "time",
            "day",
            "cutoff",
            "calendar",
            "enabled",
            "warn_ratio",
            "description",
            "escalations",
        ]

    def get_description(self, obj) -> str:
        return RuleSpec.of_rule(obj).describe()


class DeadlineRuleViewSet(viewsets.ReadOnlyModelViewSet):
    """Every deadline rule with its key, kind, amount, calendar and requirement ID (CAL-3)."""

    serializer_class = RuleSerializer
    queryset = DeadlineRule.objects.none()
    permission_classes = [IsInternal]
    pagination_class = None  # about fifty rows: a client gets the whole table at once
    lookup_field = "key"
    lookup_value_regex = r"[\w.\-]+"
    visibility = "internal"

    def get_queryset(self):
        return selectors.rules()


class ClockSerializer(serializers.ModelSerializer):
    rule = serializers.CharField(source="rule.key")
    rule_name = serializers.CharField(source="rule.name")
    requirement = serializers.CharField(source="rule.requirement")
    subject = serializers.SerializerMethodField()
    owner = serializers.SerializerMethodField()
    seconds_left = serializers.SerializerMethodField()

    class Meta:
        model = Clock
        fields = [
            "id",
            "rule",
            "rule_name",
            "requirement",
            "kind",
            "state",
            "subject",
            "owner",
            "started_at",
            "due_at",
            "paused_at",
            "breached_at",
            "seconds_left",
        ]

    def get_subject(self, obj) -> dict:
        subject = obj.subject
        get_url = getattr(subject, "get_absolute_url", None)
        return {
            "type": obj.content_type.app_label + "." + obj.content_type.model,
            "id": obj.object_id,
            "name": str(subject) if subject is not None else "",
            "url": get_url() if get_url else "",
        }

    def get_owner(self, obj) -> dict | None:
        return {"id": obj.owner_id, "name": obj.owner.display_name} if obj.owner else None

    def get_seconds_left(self, obj) -> int:
        return int((obj.due_at - self.context["now"]).total_seconds())


class WorkbenchViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The current user's open clocks by due time (RPT-1); `?scope=team` for a manager's team,
    `?kind=`, `?rule=`, `?state=running|paused|breached` to filter."""

    serializer_class = ClockSerializer
    queryset = Clock.objects.none()

    @extend_schema(
        parameters=[
            OpenApiParameter("scope", str, enum=["mine", "team"]),
            OpenApiParameter("kind", str, enum=[k for k, _label in KIND_CHOICES]),
            OpenApiParameter("rule", str),
            OpenApiParameter("state", str, enum=["running", "paused", "breached"]),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    CHOICES = {
        "scope": {"mine", "team"},
        "kind": {k for k, _label in KIND_CHOICES},
        "state": {"running", "paused", "breached"},
    }

    def get_queryset(self):
        params = self.request.query_params
        for name, allowed in self.CHOICES.items():
            if params.get(name) and params[name] not in allowed:
                raise Invalid(NOT_ONE_OF % {"name": name, "values": words.join(sorted(allowed))}, field=name)
        return selectors.clocks_for(
            self.request.user,
            team=params.get("scope") == "team",
            kind=params.get("kind") or None,
            rule=params.get("rule") or None,
            state=params.get("state") or None,
        )

    def paginate_queryset(self, queryset):
        # Page the ids (from the index), then load only that page's rows.
        ids = super().paginate_queryset(queryset.values_list("pk", flat=True))
        return selectors.load(ids)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}
