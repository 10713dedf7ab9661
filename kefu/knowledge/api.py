"""REST API of the problem library: /api/kb/articles/?q=… (KB-2), transitions as POST actions (KB-1),
/api/kb/articles/suggestions/?phenomenon=… (KB-3)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kefu.core.api import WorkflowActionMixin, query_choice
from kefu.knowledge import selectors, suggest, workflow
from kefu.knowledge.models import Article


class ArticleSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.display_name", read_only=True)
    # The rank of a search hit; null outside a search.
    search_rank = serializers.FloatField(read_only=True, allow_null=True, default=None)

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "symptom",
            "cause",
            "solution",
            "steps",
            "product",
            "version",
            "tags",
            "status",
            "source_label",
            "author",
            "author_name",
            "reviewed_by",
            "reviewed_at",
            "published_by",
            "published_at",
            "created_at",
            "updated_at",
            "search_rank",
        ]
        read_only_fields = [
            "status",
            "source_label",
            "author",
            "reviewed_by",
            "reviewed_at",
            "published_by",
            "published_at",
            "created_at",
            "updated_at",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not hasattr(instance, "search_rank"):
            data["search_rank"] = None
        return data


class ArticleInputSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    symptom = serializers.CharField()
    cause = serializers.CharField(required=False, allow_blank=True)
    solution = serializers.CharField()
    steps = serializers.CharField(required=False, allow_blank=True)
    product = serializers.CharField(required=False, allow_blank=True, max_length=100)
    version = serializers.CharField(required=False, allow_blank=True, max_length=50)
    tags = serializers.CharField(required=False, allow_blank=True, max_length=300)


class SendBackSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ArticleViewSet(
    WorkflowActionMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Problem-library articles. `?q=` searches (two Chinese characters are enough), best first;
    `?status=draft|reviewed|published|all` (default published); `?product=`."""

    serializer_class = ArticleSerializer
    queryset = Article.objects.none()
    visibility = "internal"
    http_method_names = ["get", "post", "patch", "head", "options"]

    @extend_schema(parameters=[OpenApiParameter(n, str) for n in ("q", "status", "product")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        p = self.request.query_params
        if self.action != "list":
            return selectors.articles_for(self.request.user, status="all")
        return selectors.articles_for(
            self.request.user,
            q=p.get("q", ""),
            status=query_choice(p, "status", Article.Status.choices),
            product=p.get("product", ""),
        )

    def reread(self, article: Article) -> Article:
        return selectors.article_for(self.request.user, article.pk)

    @extend_schema(request=ArticleInputSerializer, responses=ArticleSerializer)
    def create(self, request, *args, **kwargs):
        return self.act(workflow.create_article, input=ArticleInputSerializer, status=201)

    @extend_schema(request=ArticleInputSerializer, responses=ArticleSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self.act(
            workflow.update_article, self.get_object(), **self.action_input(ArticleInputSerializer, partial=True)
        )

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=None, responses=ArticleSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        return self.act(workflow.review, self.get_object())

    @extend_schema(request=None, responses=ArticleSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self.act(workflow.publish, self.get_object())

    @extend_schema(request=SendBackSerializer, responses=ArticleSerializer)
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        return self.act(workflow.send_back, self.get_object(), input=SendBackSerializer)

    @extend_schema(
        parameters=[OpenApiParameter("phenomenon", str)],
        responses=inline_serializer(
            "SuggestionGroup",
            {
                "key": serializers.CharField(),
                "label": serializers.CharField(),
                "items": serializers.ListField(child=serializers.DictField()),
            },
            many=True,
        ),
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def suggestions(self, request):
        groups = suggest.suggest(request.query_params.get("phenomenon", ""), user=request.user)
        return Response(
            [
                {
                    "key": g.key,
                    "label": str(g.label),
                    "items": [
                        {"title": i.title, "url": i.url, "snippet": i.snippet, "key": i.key, "meta": i.meta}
                        for i in g.items
                    ],
                }
                for g in groups
            ]
        )
