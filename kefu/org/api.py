from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kefu.core.serializers import IdField
from kefu.org import selectors
from kefu.org.models import Department, Region, Station, User


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
