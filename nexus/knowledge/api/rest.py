"""REST door of the reference guide: technologies, concepts, tags, guides, revisions."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.accounts.api.rest import UserRefSerializer
from nexus.core.api.rest import actor, body_object
from nexus.core.api.schema import filter_parameters
from nexus.knowledge import permissions, selectors, services
from nexus.knowledge.filters import ConceptFilter, GuideFilter, TechnologyFilter
from nexus.knowledge.models import Concept, Guide, GuideRevision, Tag, Technology

# --- Serializers ----------------------------------------------------------------


class RefSerializer(serializers.Serializer[Any]):
    """A related technology, concept or tag: `{"slug", "name"}`."""

    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class GuideSummarySerializer(serializers.Serializer[Guide]):
    slug = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    author = UserRefSerializer(read_only=True)
    published_at = serializers.DateTimeField(read_only=True, allow_null=True)


class TechnologySerializer(serializers.Serializer[Technology]):
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    category = serializers.ChoiceField(choices=Technology.Category.choices, read_only=True)
    summary = serializers.CharField(read_only=True)
    docs_url = serializers.CharField(read_only=True)
    guide_count = serializers.IntegerField(read_only=True, help_text="Published guides.")
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class TechnologyDetailSerializer(TechnologySerializer):
    concepts = RefSerializer(many=True, read_only=True)
    guides = GuideSummarySerializer(
        source="recent_guides", many=True, read_only=True, help_text="The latest guides."
    )


class TechnologyWriteSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=80)
    slug = serializers.SlugField(required=False, help_text="Made from the name when left out.")
    category = serializers.ChoiceField(choices=Technology.Category.choices)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    docs_url = serializers.URLField(required=False, allow_blank=True)


class ConceptSerializer(serializers.Serializer[Concept]):
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    summary = serializers.CharField(read_only=True)
    technologies = RefSerializer(many=True, read_only=True)
    guide_count = serializers.IntegerField(read_only=True, help_text="Published guides.")
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class ConceptDetailSerializer(ConceptSerializer):
    guides = GuideSummarySerializer(
        source="recent_guides", many=True, read_only=True, help_text="The latest guides."
    )


class ConceptWriteSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=120)
    slug = serializers.SlugField(required=False)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    technologies = serializers.ListField(
        child=serializers.SlugField(), required=False, help_text="Technology slugs."
    )


class TagSerializer(serializers.Serializer[Tag]):
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    guide_count = serializers.IntegerField(read_only=True)


class GuideSerializer(serializers.Serializer[Guide]):
    slug = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=Guide.Kind.choices, read_only=True)
    status = serializers.ChoiceField(choices=Guide.Status.choices, read_only=True)
    author = UserRefSerializer(read_only=True)
    co_editors = UserRefSerializer(many=True, read_only=True)
    technologies = RefSerializer(many=True, read_only=True)
    concepts = RefSerializer(many=True, read_only=True)
    tags = RefSerializer(many=True, read_only=True)
    current_revision = serializers.IntegerField(
        source="current_revision_id", read_only=True, help_text="Send as base_revision to edit."
    )
    revision_count = serializers.IntegerField(read_only=True)
    published_at = serializers.DateTimeField(read_only=True, allow_null=True)
    deleted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class GuideDetailSerializer(GuideSerializer):
    body = serializers.CharField(read_only=True, help_text="Markdown, as written.")
    body_html = serializers.CharField(read_only=True, help_text="Rendered and sanitised.")
    can_edit = serializers.SerializerMethodField()
    can_delete = serializers.SerializerMethodField()

    def get_can_edit(self, guide: Guide) -> bool:
        return permissions.can_edit_guide(self.context["request"].user, guide)

    def get_can_delete(self, guide: Guide) -> bool:
        user = self.context["request"].user
        return permissions.can_delete_guide(user, guide)


class GuideWriteSerializer(serializers.Serializer[Any]):
    """What a guide is written with. On PATCH every field is optional."""

    title = serializers.CharField(max_length=200)
    body = serializers.CharField(help_text="Markdown, up to 100,000 characters.")
    kind = serializers.ChoiceField(choices=Guide.Kind.choices, required=False)
    status = serializers.ChoiceField(
        choices=Guide.Status.choices, required=False, help_text="`published` publishes it."
    )
    technologies = serializers.ListField(child=serializers.SlugField(), required=False)
    concepts = serializers.ListField(child=serializers.SlugField(), required=False)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, help_text="Created as needed."
    )
    co_editors = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Usernames."
    )
    message = serializers.CharField(
        required=False, max_length=200, help_text="What changed, for the history."
    )
    base_revision = serializers.IntegerField(
        required=False,
        help_text="PATCH only: the revision id your edit started from. Required when the "
        "title or body changes; a stale one gets 409 with the current revision.",
    )


class GuideRevisionSerializer(serializers.Serializer[GuideRevision]):
    id = serializers.IntegerField(read_only=True)
    number = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    message = serializers.CharField(read_only=True)
    editor = UserRefSerializer(read_only=True)
    restored_from = serializers.IntegerField(
        source="restored_from_id", read_only=True, allow_null=True
    )
    created_at = serializers.DateTimeField(read_only=True)


class GuideRevisionDetailSerializer(GuideRevisionSerializer):
    body = serializers.CharField(read_only=True)


class GuideRevisionRefSerializer(serializers.Serializer[GuideRevision]):
    id = serializers.IntegerField(read_only=True)
    number = serializers.IntegerField(read_only=True)


class GuideRevisionDiffSerializer(serializers.Serializer[Any]):
    from_revision = GuideRevisionRefSerializer(read_only=True)
    to_revision = GuideRevisionRefSerializer(read_only=True)
    diff = serializers.CharField(read_only=True, help_text="A unified diff of title and body.")


class RestoreSerializer(serializers.Serializer[Any]):
    message = serializers.CharField(required=False, max_length=200)


# --- Views ------------------------------------------------------------------------


class OrderedListView(generics.ListAPIView[Any]):
    filter_backends = (OrderingFilter,)


@extend_schema_view(
    get=extend_schema(
        tags=["knowledge"],
        summary="Technologies",
        parameters=filter_parameters(TechnologyFilter),
    ),
)
class TechnologyListView(OrderedListView):
    serializer_class = TechnologySerializer
    ordering = ("name",)
    ordering_fields = ("name", "created_at")

    def get_queryset(self) -> QuerySet[Technology]:
        return selectors.technology_list(filters=self.request.query_params)

    @extend_schema(
        tags=["knowledge"],
        summary="Add a technology (mentors and staff)",
        request=TechnologyWriteSerializer,
        responses={201: TechnologyDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        technology = services.technology_create(actor=actor(request), data=body_object(request))
        detail = selectors.technology_get(viewer=request.user, slug=technology.slug)
        return Response(TechnologyDetailSerializer(detail).data, status=status.HTTP_201_CREATED)


class TechnologyDetailView(APIView):
    @extend_schema(
        tags=["knowledge"], summary="A technology", responses={200: TechnologyDetailSerializer}
    )
    def get(self, request: Request, slug: str) -> Response:
        technology = selectors.technology_get(viewer=request.user, slug=slug)
        return Response(TechnologyDetailSerializer(technology).data)

    @extend_schema(
        tags=["knowledge"],
        summary="Edit a technology (mentors and staff)",
        request=TechnologyWriteSerializer(partial=True),
        responses={200: TechnologyDetailSerializer},
    )
    def patch(self, request: Request, slug: str) -> Response:
        technology = services.technology_update(
            actor=actor(request),
            slug=slug,
            data=body_object(request),
        )
        detail = selectors.technology_get(viewer=request.user, slug=technology.slug)
        return Response(TechnologyDetailSerializer(detail).data)


@extend_schema_view(
    get=extend_schema(
        tags=["knowledge"], summary="Concepts", parameters=filter_parameters(ConceptFilter)
    ),
)
class ConceptListView(OrderedListView):
    serializer_class = ConceptSerializer
    ordering = ("name",)
    ordering_fields = ("name", "created_at")

    def get_queryset(self) -> QuerySet[Concept]:
        return selectors.concept_list(filters=self.request.query_params)

    @extend_schema(
        tags=["knowledge"],
        summary="Add a concept (mentors and staff)",
        request=ConceptWriteSerializer,
        responses={201: ConceptDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        concept = services.concept_create(actor=actor(request), data=body_object(request))
        detail = selectors.concept_get(viewer=request.user, slug=concept.slug)
        return Response(ConceptDetailSerializer(detail).data, status=status.HTTP_201_CREATED)


class ConceptDetailView(APIView):
    @extend_schema(
        tags=["knowledge"], summary="A concept", responses={200: ConceptDetailSerializer}
    )
    def get(self, request: Request, slug: str) -> Response:
        concept = selectors.concept_get(viewer=request.user, slug=slug)
        return Response(ConceptDetailSerializer(concept).data)

    @extend_schema(
        tags=["knowledge"],
        summary="Edit a concept (mentors and staff)",
        request=ConceptWriteSerializer(partial=True),
        responses={200: ConceptDetailSerializer},
    )
    def patch(self, request: Request, slug: str) -> Response:
        concept = services.concept_update(
            actor=actor(request),
            slug=slug,
            data=body_object(request),
        )
        detail = selectors.concept_get(viewer=request.user, slug=concept.slug)
        return Response(ConceptDetailSerializer(detail).data)


@extend_schema_view(get=extend_schema(tags=["knowledge"], summary="Tags"))
class TagListView(OrderedListView):
    serializer_class = TagSerializer
    ordering = ("slug",)
    ordering_fields = ("slug",)

    def get_queryset(self) -> QuerySet[Tag]:
        return selectors.tag_list()


@extend_schema_view(
    get=extend_schema(
        tags=["guides"],
        summary="Guides",
        description="Published guides, plus your own drafts; staff see every draft and, "
        "with `deleted=true`, deleted guides.",
        parameters=[
            *filter_parameters(GuideFilter),
            OpenApiParameter("deleted", OpenApiTypes.BOOL, description="Staff: deleted guides."),
        ],
    ),
)
class GuideListView(OrderedListView):
    serializer_class = GuideSerializer
    ordering = ("-created_at",)
    ordering_fields = ("created_at", "updated_at", "title")

    def get_queryset(self) -> QuerySet[Guide]:
        return selectors.guide_list(viewer=self.request.user, filters=self.request.query_params)

    @extend_schema(
        tags=["guides"],
        summary="Write a guide",
        description="A draft unless `status` is `published`. Writes revision 1.",
        request=GuideWriteSerializer,
        responses={201: GuideDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        guide = services.guide_create(actor=actor(request), data=body_object(request))
        return _guide_response(request, guide.slug, status.HTTP_201_CREATED)


def _guide_response(request: Request, slug: str, code: int = status.HTTP_200_OK) -> Response:
    guide = selectors.guide_get(viewer=request.user, slug=slug)
    return Response(GuideDetailSerializer(guide, context={"request": request}).data, status=code)


class GuideDetailView(APIView):
    conflict_on_write = True

    @extend_schema(tags=["guides"], summary="A guide", responses={200: GuideDetailSerializer})
    def get(self, request: Request, slug: str) -> Response:
        return _guide_response(request, slug)

    @extend_schema(
        tags=["guides"],
        summary="Edit or publish a guide",
        description="A change of title or body needs `base_revision` and writes a new "
        "revision; a stale base gets 409 with `current_revision`. "
        'Publish with `{"status": "published"}`.',
        request=GuideWriteSerializer(partial=True),
        responses={200: GuideDetailSerializer},
    )
    def patch(self, request: Request, slug: str) -> Response:
        services.guide_update(actor=actor(request), slug=slug, data=body_object(request))
        return _guide_response(request, slug)

    @extend_schema(
        tags=["guides"],
        summary="Delete a guide (soft; staff can restore it)",
        responses={204: None},
    )
    def delete(self, request: Request, slug: str) -> Response:
        services.guide_delete(actor=actor(request), slug=slug)
        return Response(status=status.HTTP_204_NO_CONTENT)


class GuideUndeleteView(APIView):
    @extend_schema(
        tags=["guides"],
        summary="Restore a deleted guide (staff)",
        request=None,
        responses={200: GuideDetailSerializer},
    )
    def post(self, request: Request, slug: str) -> Response:
        services.guide_undelete(actor=actor(request), slug=slug)
        return _guide_response(request, slug)


@extend_schema_view(get=extend_schema(tags=["guides"], summary="A guide's revisions, newest first"))
class GuideRevisionListView(OrderedListView):
    serializer_class = GuideRevisionSerializer
    ordering = ("-number",)
    ordering_fields = ("number",)

    def get_queryset(self) -> QuerySet[GuideRevision]:
        return selectors.guide_revision_list(viewer=self.request.user, slug=self.kwargs["slug"])


class GuideRevisionDetailView(APIView):
    @extend_schema(
        tags=["guides"], summary="One revision", responses={200: GuideRevisionDetailSerializer}
    )
    def get(self, request: Request, slug: str, revision_id: int) -> Response:
        revision = selectors.guide_revision_get(
            viewer=request.user, slug=slug, revision_id=revision_id
        )
        return Response(GuideRevisionDetailSerializer(revision).data)


class GuideRevisionDiffView(APIView):
    @extend_schema(
        tags=["guides"],
        summary="Diff two revisions",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.INT, required=True, description="Revision id."),
            OpenApiParameter("to", OpenApiTypes.INT, required=True, description="Revision id."),
        ],
        responses={200: GuideRevisionDiffSerializer},
    )
    def get(self, request: Request, slug: str) -> Response:
        diff = selectors.guide_revision_diff(
            viewer=request.user,
            slug=slug,
            from_id=request.query_params.get("from"),
            to_id=request.query_params.get("to"),
        )
        return Response(GuideRevisionDiffSerializer(diff).data)


class GuideRevisionRestoreView(APIView):
    @extend_schema(
        tags=["guides"],
        summary="Restore a revision as a new one",
        request=RestoreSerializer,
        responses={200: GuideDetailSerializer},
    )
    def post(self, request: Request, slug: str, revision_id: int) -> Response:
        message = body_object(request).get("message") if request.data else None
        services.guide_revision_restore(
            actor=actor(request),
            slug=slug,
            revision_id=revision_id,
            message=message,
        )
        return _guide_response(request, slug)


urlpatterns = [
    path("technologies/", TechnologyListView.as_view(), name="technology-list"),
    path("technologies/<slug:slug>/", TechnologyDetailView.as_view(), name="technology-detail"),
    path("concepts/", ConceptListView.as_view(), name="concept-list"),
    path("concepts/<slug:slug>/", ConceptDetailView.as_view(), name="concept-detail"),
    path("tags/", TagListView.as_view(), name="tag-list"),
    path("guides/", GuideListView.as_view(), name="guide-list"),
    path("guides/<slug:slug>/", GuideDetailView.as_view(), name="guide-detail"),
    path("guides/<slug:slug>/restore/", GuideUndeleteView.as_view(), name="guide-undelete"),
    path(
        "guides/<slug:slug>/revisions/",
        GuideRevisionListView.as_view(),
        name="guide-revision-list",
    ),
    path(
        "guides/<slug:slug>/revisions/diff/",
        GuideRevisionDiffView.as_view(),
        name="guide-revision-diff",
    ),
    path(
        "guides/<slug:slug>/revisions/<int:revision_id>/",
        GuideRevisionDetailView.as_view(),
        name="guide-revision-detail",
    ),
    path(
        "guides/<slug:slug>/revisions/<int:revision_id>/restore/",
        GuideRevisionRestoreView.as_view(),
        name="guide-revision-restore",
    ),
]
