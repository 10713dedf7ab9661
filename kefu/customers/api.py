"""REST API of the customer archive (NT-2): reads scoped, writes through the workflow."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kefu.core.api import WorkflowActionMixin
from kefu.core.errors import Forbidden
from kefu.core.serializers import IdField
from kefu.customers import selectors, timeline, workflow
from kefu.customers.masking import MaskPersonalData
from kefu.customers.models import Contact, Contract, Customer, Device, TimelineEntry
from kefu.org.models import Region, User


class ContactSerializer(MaskPersonalData, serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = [
            "id",
            "customer",
            "name",
            "title",
            "phone",
            "mobile",
            "email",
            "qq",
            "wechat",
            "is_main",
            "in_marketing_qq",
            "in_wechat_service",
        ]
        read_only_fields = ["is_main"]


class NewContactSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    title = serializers.CharField(max_length=50, required=False, allow_blank=True)
    mobile = serializers.CharField(max_length=20, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    qq = serializers.CharField(max_length=20, required=False, allow_blank=True)
    wechat = serializers.CharField(max_length=50, required=False, allow_blank=True)
    is_main = serializers.BooleanField(required=False, default=False)


class CustomerSerializer(MaskPersonalData, serializers.ModelSerializer):
    owner = IdField(queryset=User.objects.filter(is_active=True), required=False, allow_null=True)
    owner_name = serializers.SerializerMethodField()
    province = IdField(queryset=Region.objects.all(), required=False, allow_null=True)
    city = IdField(queryset=Region.objects.all(), required=False, allow_null=True)
    district = IdField(queryset=Region.objects.all(), required=False, allow_null=True)
    region = serializers.CharField(source="region_label", read_only=True)
    contacts = NewContactSerializer(many=True, write_only=True, required=False)
    confirm_duplicate = serializers.BooleanField(write_only=True, required=False, default=False)

    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "short_name",
            "level",
            "status",
            "owner",
            "owner_name",
            "province",
            "city",
            "district",
            "region",
            "address",
            "industry",
            "website",
            "business",
            "note",
            "initials",
            "created_at",
            "updated_at",
            "contacts",
            "confirm_duplicate",
        ]
        read_only_fields = ["status", "initials", "created_at", "updated_at"]

    def get_owner_name(self, obj) -> str:
        return obj.owner.display_name if obj.owner_id else ""


class CustomerCandidateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "name", "short_name", "level", "status"]


class TimelineEntrySerializer(serializers.ModelSerializer):
    kind_label = serializers.SerializerMethodField()

    class Meta:
        model = TimelineEntry
        fields = ["id", "at", "kind", "kind_label", "title", "body", "link", "actor_name"]

    def get_kind_label(self, obj) -> str:
        return timeline.kind_label(obj.kind)


class CustomerReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class CustomerNoteSerializer(serializers.Serializer):
    text = serializers.CharField()


def duplicate_response(exc: workflow.DuplicateSuspected) -> Response:
    return Response(
        {
            "detail": str(exc.message),
            "code": exc.code,
            "candidates": CustomerCandidateSerializer(exc.candidates, many=True).data,
        },
        status=status.HTTP_409_CONFLICT,
    )


class CustomerViewSet(
    WorkflowActionMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Customers (CRM-1). Filters: q (name, short name, pinyin initials, contract/dongle number),
    level, owner, province, city, status. Create answers 409 with `candidates` for a likely
    duplicate; send `confirm_duplicate: true` to create anyway."""

    serializer_class = CustomerSerializer
    queryset = Customer.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        params = self.request.query_params
        return selectors.customers_for(
            self.request.user, **{k: params.get(k, "") for k in ("q", "level", "owner", "province", "city", "status")}
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        contacts = data.pop("contacts", [])
        confirm = data.pop("confirm_duplicate", False)
        serializer.instance = workflow.create_customer(
            data=data, contacts=contacts, by=self.request.user, now=timezone.now(), confirm_duplicate=confirm
        )

    def create(self, request, *args, **kwargs):
        try:
            return super().create(request, *args, **kwargs)
        except workflow.DuplicateSuspected as exc:
            return duplicate_response(exc)

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k not in ("contacts", "confirm_duplicate")}
        workflow.update_customer(serializer.instance, data, by=self.request.user, now=timezone.now())

    @extend_schema(
        parameters=[OpenApiParameter("before", str), OpenApiParameter("kind", str)],
        responses=inline_serializer(
            "TimelinePage", {"results": TimelineEntrySerializer(many=True), "next": serializers.CharField()}
        ),
    )
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        """The customer care column (CRM-5), newest first; `next` is the cursor for `?before=`."""
        customer = self.get_object()
        if not request.user.has_perm("customers.view_timeline", customer):
            raise Forbidden()
        page = timeline.page(
            customer, before=request.query_params.get("before", ""), kind=request.query_params.get("kind", "")
        )
        return Response({"results": TimelineEntrySerializer(page.entries, many=True).data, "next": page.next_cursor})

    @extend_schema(request=CustomerNoteSerializer, responses={201: TimelineEntrySerializer})
    @action(detail=True, methods=["post"])
    def notes(self, request, pk=None):
        return self.act(
            workflow.add_note,
            self.get_object(),
            input=CustomerNoteSerializer,
            output=TimelineEntrySerializer,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=CustomerReasonSerializer, responses=CustomerSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self.act(workflow.close_customer, self.get_object(), input=CustomerReasonSerializer)

    @extend_schema(request=CustomerReasonSerializer, responses=CustomerSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self.act(workflow.reopen_customer, self.get_object(), input=CustomerReasonSerializer)

    @extend_schema(
        parameters=[OpenApiParameter("name", str), OpenApiParameter("short_name", str)],
        responses=CustomerCandidateSerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def duplicates(self, request):
        """Likely duplicates of a name before creating (CRM-1)."""
        if not request.user.has_perm("customers.add_customer"):
            raise Forbidden()
        found = workflow.find_duplicates(
            request.query_params.get("name", ""), request.query_params.get("short_name", "")
        )
        return Response(CustomerCandidateSerializer(found, many=True).data)


class ContactViewSet(
    WorkflowActionMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Contacts (CRM-2); `?customer=<id>`. Phones masked for roles without the permission (QS-6)."""

    serializer_class = ContactSerializer
    queryset = Contact.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        customer = self.request.query_params.get("customer")
        return selectors.contacts_for(self.request.user, customer=int(customer) if (customer or "").isdigit() else None)

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if self.action == "create":
            serializer.fields["customer"].queryset = Customer.objects.visible_to(self.request.user)
        return serializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        customer = data.pop("customer")
        serializer.instance = workflow.add_contact(customer, data, by=self.request.user, now=timezone.now())

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k != "customer"}
        workflow.update_contact(serializer.instance, data, by=self.request.user, now=timezone.now())

    @extend_schema(request=None, responses=ContactSerializer)
    @action(detail=True, methods=["post"], url_path="set-main")
    def set_main(self, request, pk=None):
        return self.act(workflow.set_main_contact, self.get_object())


class ContractSerializer(serializers.ModelSerializer):
    sales_name = serializers.CharField(source="sales.display_name", read_only=True, default="")

    class Meta:
        model = Contract
        fields = [
            "id",
            "customer",
            "number",
            "signed_on",
            "sales",
            "sales_name",
            "products",
            "software_version",
            "modules",
            "dongle_no",
            "service_start",
            "service_end",
            "service_terms",
            "amount",
            "handed_over_at",
            "created_at",
        ]
        read_only_fields = ["handed_over_at", "created_at", "sales"]


class ContractViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Contracts (CRM-3); `?customer=<id>`. Hand a contract over for the first visit at
    `POST /api/first-visits/hand-over/`."""

    serializer_class = ContractSerializer
    queryset = Contract.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        customer = self.request.query_params.get("customer")
        return selectors.contracts_for(
            self.request.user, customer=int(customer) if (customer or "").isdigit() else None
        )

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if self.action == "create":
            serializer.fields["customer"].queryset = Customer.objects.visible_to(self.request.user)
        return serializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        customer = data.pop("customer")
        serializer.instance = workflow.create_contract(customer, data, by=self.request.user, now=timezone.now())

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k not in ("customer", "number")}
        workflow.update_contract(serializer.instance, data, by=self.request.user, now=timezone.now())


class DeviceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Device
        fields = [
            "id",
            "customer",
            "contract",
            "model",
            "serial_barcode",
            "purchase_date",
            "invoice_no",
            "warranty_card_no",
            "factory_date",
        ]


class DeviceViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Installed devices (CRM-4); `?customer=<id>`."""

    serializer_class = DeviceSerializer
    queryset = Device.objects.none()

    def get_queryset(self):
        customer = self.request.query_params.get("customer")
        return selectors.devices_for(self.request.user, customer=int(customer) if (customer or "").isdigit() else None)

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if self.action == "create":
            serializer.fields["customer"].queryset = Customer.objects.visible_to(self.request.user)
        return serializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        customer = data.pop("customer")
        serializer.instance = workflow.add_device(customer, data, by=self.request.user, now=timezone.now())
