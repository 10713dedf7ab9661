import math

from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from kefu.core.lockout import LoginRateThrottle
from kefu.core.serializers import IdField
from kefu.org import selectors, workflow
from kefu.org.authentication import TokenAuthentication
from kefu.org.models import ApiToken, Department, Region, Station, User

BAD_LOGIN = _("无法使用提供的认证信息登录。")


class UserSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    department = serializers.StringRelatedField()
    station = IdField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name", "employee_no", "department", "station", "roles"]

    def get_roles(self, obj) -> list[str]:
        # Read from the prefetched groups: no query per row.
        return sorted(g.name for g in obj.groups.all())


class StationSerializer(serializers.ModelSerializer):
    region = serializers.StringRelatedField()
    regions = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Station
        fields = ["id", "code", "name", "phone", "address", "region", "regions"]


class DepartmentSerializer(serializers.ModelSerializer):
    head = serializers.StringRelatedField()

    class Meta:
        model = Department
        fields = ["id", "code", "name", "head"]


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent"]


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = UserSerializer
    queryset = User.objects.none()

    def get_queryset(self):
        return selectors.users_for(self.request.user)

    @extend_schema(responses=UserSerializer)
    @action(detail=False, methods=["get"])
    def me(self, request):
        user = User.objects.prefetch_related("groups").select_related("department").get(pk=request.user.pk)
        return Response(UserSerializer(user).data)


class StationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = StationSerializer
    queryset = Station.objects.none()

    def get_queryset(self):
        return selectors.stations_for(self.request.user).prefetch_related("regions")


class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DepartmentSerializer
    queryset = Department.objects.none()
    visibility = "internal"  # company staff only: stations and customers get no rows

    def get_queryset(self):
        return selectors.departments_for(self.request.user)


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """The 省/市/区 tree: `?parent=<code>` gives the children, no parameter the provinces."""

    serializer_class = RegionSerializer
    queryset = Region.objects.none()
    visibility = "public"  # reference data, the same for every user

    def get_queryset(self):
        if self.action == "retrieve":
            return Region.objects.all()
        return selectors.regions(self.request.query_params.get("parent"))


# --- Login and API tokens (issue 13 §5) -----------------------------------------------------

THROTTLED = _("获取令牌的请求过于频繁，请 %(seconds)d 秒后再试。")


class LoginThrottled(exceptions.Throttled):
    """429 with a Chinese sentence (and `Retry-After`), not DRF's "Expected available in…"."""

    def __init__(self, wait):
        seconds = math.ceil(wait or 0)
        super().__init__(detail=THROTTLED % {"seconds": seconds})
        self.wait = seconds or None


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("用户名"), max_length=150)
    password = serializers.CharField(label=_("密码"), max_length=1024, trim_whitespace=False, write_only=True)

    def validate(self, attrs):
        # django-axes marks a locked-out request on the object given to authenticate(); handing it
        # Django's own request (not DRF's wrapper) lets the axes middleware answer 429 in Chinese.
        request = self.context["request"]._request
        user = authenticate(request=request, username=attrs["username"], password=attrs["password"])
        if user is None:
            raise exceptions.ValidationError(BAD_LOGIN, code="authorization")
        attrs["user"] = user
        return attrs


class IssuedTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="send it as `Authorization: Token <token>`; shown only this once")
    expiry = serializers.DateTimeField()
    prefix = serializers.CharField(help_text="the first 8 characters, as the token list shows it")


class ApiTokenSerializer(serializers.ModelSerializer):
    prefix = serializers.CharField(read_only=True, help_text="the first 8 characters of the token")
    current = serializers.SerializerMethodField(help_text="the token this request came with")

    class Meta:
        model = ApiToken
        fields = ["id", "prefix", "client", "created", "expiry", "last_used_at", "current"]
        read_only_fields = fields

    def get_current(self, obj) -> bool:
        auth = getattr(self.context.get("request"), "auth", None)
        return isinstance(auth, ApiToken) and auth.pk == obj.pk


class ObtainToken(APIView):
    """POST /api/auth/token/ {"username", "password"} → a new token, valid `KEFU_TOKEN_TTL_HOURS`
    (10 h by default). Locked out like the login page (django-axes: 5 failures of one username
    from one address, 20 from one address) and rate limited per address (`KEFU_LOGIN_RATE`)."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = (LoginRateThrottle,)

    def throttled(self, request, wait):
        raise LoginThrottled(wait)

    @extend_schema(request=LoginSerializer, responses=IssuedTokenSerializer)
    def post(self, request):
        serializer = LoginSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        row, token = workflow.issue_token(user, now=timezone.now(), client=request.headers.get("User-Agent", ""))
        return Response(IssuedTokenSerializer({"token": token, "expiry": row.expiry, "prefix": row.prefix}).data)


class Logout(APIView):
    """POST /api/auth/logout/: the token this request came with ends at once (204)."""

    authentication_classes = (TokenAuthentication,)

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        workflow.log_out(request.user, token=request.auth)
        return Response(status=204)


class ApiTokenViewSet(mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """The caller's own API tokens that have not expired, newest first: when each was issued,
    to which client, when it was last used and when it expires, and its first 8 characters
    (never the token). DELETE revokes one."""

    serializer_class = ApiTokenSerializer
    queryset = ApiToken.objects.none()
    visibility = "own"

    def get_queryset(self):
        return ApiToken.objects.filter(user=self.request.user).live(timezone.now())

    def perform_destroy(self, instance):
        workflow.revoke_token(instance, by=self.request.user, now=timezone.now())
