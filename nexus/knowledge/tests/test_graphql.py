from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.knowledge import services
from nexus.knowledge.models import Guide, Technology

pytestmark = pytest.mark.django_db


@pytest.fixture
def mentor(user_factory):
    return user_factory(username="mentor-one", role="mentor")


@pytest.fixture
def staff(user_factory):
    return user_factory(username="staff-one", is_staff=True)


@pytest.fixture
def other_learner(user_factory):
    return user_factory(username="learner-two")


@pytest.fixture
def django_tech(mentor):
    return services.technology_create(
        actor=mentor, data={"name": "Django", "category": "framework", "summary": "Web."}
    )


def write_guide(author, **data):
    return services.guide_create(
        actor=author, data={"title": "A guide", "body": "Some text.\n", **data}
    )


CREATE_GUIDE = """
mutation($input: CreateGuideInput!) {
  createGuide(input: $input) {
    slug title status bodyHtml revisionCount currentRevisionId
    author { username }
    technologies { slug name }
    tags { slug name }
  }
}
"""

UPDATE_GUIDE = """
mutation($slug: String!, $input: UpdateGuideInput!) {
  updateGuide(slug: $slug, input: $input) {
    title body revisionCount currentRevision { id number message editor { username } }
  }
}
"""


def test_anyone_browses_technologies_and_concepts_with_their_guide_counts(
    gql, mentor, learner, django_tech
):
    services.technology_create(actor=mentor, data={"name": "Redis", "category": "cache"})
    services.concept_create(
        actor=mentor, data={"name": "Caching", "technologies": ["django", "redis"]}
    )
    write_guide(learner, title="Views", status="published", technologies=["django"])
    write_guide(learner, title="Secret draft", technologies=["django"], concepts=["caching"])

    listed = gql(
        "{ technologies { results { slug name category guideCount concepts { slug } } } }",
    )
    frameworks = gql('{ technologies(category: "framework", q: "dj") { results { slug } } }')
    concepts = gql(
        '{ concepts(technology: "redis") '
        "{ results { slug guideCount technologies { slug name } } } }",
    )
    concept = gql('{ concept(slug: "caching") { name guides { title } } }')

    assert listed == {
        "data": {
            "technologies": {
                "results": [
                    {
                        "slug": "django",
                        "name": "Django",
                        "category": "framework",
                        "guideCount": 1,
                        "concepts": [{"slug": "caching"}],
                    },
                    {
                        "slug": "redis",
                        "name": "Redis",
                        "category": "cache",
                        "guideCount": 0,
                        "concepts": [{"slug": "caching"}],
                    },
                ]
            }
        }
    }
    assert frameworks == {"data": {"technologies": {"results": [{"slug": "django"}]}}}
    assert concepts["data"]["concepts"]["results"] == [
        {
            "slug": "caching",
            "guideCount": 0,
            "technologies": [
                {"slug": "django", "name": "Django"},
                {"slug": "redis", "name": "Redis"},
            ],
        }
    ]
    assert concept == {"data": {"concept": {"name": "Caching", "guides": []}}}


def test_technology_detail_lists_its_recent_guides_and_concepts(gql, learner, django_tech):
    write_guide(learner, title="First", status="published", technologies=["django"], tags=["orm"])
    write_guide(learner, title="Second", status="published", technologies=["django"])

    body = gql(
        """{ technology(slug: "django") {
              name summary docsUrl guideCount concepts { slug }
              guides { title author { username } tags { slug } }
        } }""",
    )

    assert body == {
        "data": {
            "technology": {
                "name": "Django",
                "summary": "Web.",
                "docsUrl": "",
                "guideCount": 2,
                "concepts": [],
                "guides": [
                    {"title": "Second", "author": {"username": learner.username}, "tags": []},
                    {
                        "title": "First",
                        "author": {"username": learner.username},
                        "tags": [{"slug": "orm"}],
                    },
                ],
            }
        }
    }


def test_unknown_technology_or_filter_value_is_a_domain_error(gql):
    missing = gql('{ technology(slug: "nope") { name } }')
    bad_category = gql('{ technologies(category: "spaceship") { results { slug } } }')

    assert missing.error_code == "not_found"
    assert bad_category.error_code == "validation_error"
    assert "category" in bad_category["errors"][0]["extensions"]["errors"]


def test_tags_are_listed_with_their_published_guide_counts(gql, learner):
    write_guide(learner, status="published", tags=["ORM", "testing"])
    write_guide(learner, tags=["orm"])

    body = gql("{ tags { results { slug name guideCount } } }")

    assert body == {
        "data": {
            "tags": {
                "results": [
                    {"slug": "orm", "name": "ORM", "guideCount": 1},
                    {"slug": "testing", "name": "testing", "guideCount": 1},
                ]
            }
        }
    }


def test_a_learner_writes_edits_restores_and_reads_the_history_of_a_guide(
    gql, learner, django_tech
):
    created = gql(
        CREATE_GUIDE,
        {
            "input": {
                "title": "Django signals",
                "body": "Use them *sparingly*.\n",
                "technologies": ["django"],
                "tags": ["Events"],
            }
        },
        as_user=learner,
    )["data"]["createGuide"]
    assert created["slug"] == "django-signals"
    assert created["status"] == "draft"
    assert created["bodyHtml"] == "<p>Use them <em>sparingly</em>.</p>\n"
    assert created["revisionCount"] == 1
    assert created["author"] == {"username": learner.username}
    assert created["technologies"] == [{"slug": "django", "name": "Django"}]
    assert created["tags"] == [{"slug": "events", "name": "Events"}]
    first_revision = created["currentRevisionId"]

    edited = gql(
        UPDATE_GUIDE,
        {
            "slug": "django-signals",
            "input": {
                "body": "Prefer services.\n",
                "baseRevision": first_revision,
                "message": "Rewrite",
            },
        },
        as_user=learner,
    )["data"]["updateGuide"]
    assert edited["body"] == "Prefer services.\n"
    assert edited["revisionCount"] == 2
    second_revision = edited["currentRevision"]["id"]
    assert edited["currentRevision"] == {
        "id": second_revision,
        "number": 2,
        "message": "Rewrite",
        "editor": {"username": learner.username},
    }

    diff = gql(
        """query($slug: String!, $from: Int!, $to: Int!) {
             guideRevisionDiff(slug: $slug, from: $from, to: $to) {
               diff fromRevision { number } toRevision { number }
             }
        }""",
        {"slug": "django-signals", "from": first_revision, "to": second_revision},
        as_user=learner,
    )["data"]["guideRevisionDiff"]
    assert diff["fromRevision"] == {"number": 1}
    assert diff["toRevision"] == {"number": 2}
    assert "-Use them *sparingly*.\n" in diff["diff"]
    assert "+Prefer services.\n" in diff["diff"]

    restored = gql(
        """mutation($slug: String!, $id: Int!) {
             restoreGuideRevision(slug: $slug, revisionId: $id) {
               body revisionCount currentRevision { number message restoredFromId }
             }
        }""",
        {"slug": "django-signals", "id": first_revision},
        as_user=learner,
    )["data"]["restoreGuideRevision"]
    assert restored == {
        "body": "Use them *sparingly*.\n",
        "revisionCount": 3,
        "currentRevision": {
            "number": 3,
            "message": "Restored revision 1",
            "restoredFromId": first_revision,
        },
    }

    history = gql(
        '{ guideRevisions(slug: "django-signals") '
        "{ results { number body editor { username } } } }",
        as_user=learner,
    )["data"]["guideRevisions"]["results"]
    assert [revision["number"] for revision in history] == [3, 2, 1]
    assert history[1]["body"] == "Prefer services.\n"

    one = gql(
        'query($id: Int!) { guideRevision(slug: "django-signals", id: $id) { number title } }',
        {"id": second_revision},
        as_user=learner,
    )
    assert one == {"data": {"guideRevision": {"number": 2, "title": "Django signals"}}}


def test_an_edit_from_a_stale_revision_is_a_conflict_carrying_the_current_revision(
    gql, learner, mentor
):
    guide = write_guide(learner, title="Caching", body="v1\n")
    stale = guide.current_revision_id
    services.guide_update(
        actor=learner, slug=guide.slug, data={"body": "v2\n", "base_revision": stale}
    )
    current = Guide.objects.get(pk=guide.pk).current_revision_id

    body = gql(
        UPDATE_GUIDE,
        {"slug": guide.slug, "input": {"body": "my v2\n", "baseRevision": stale}},
        as_user=learner,
    )

    assert body["data"] is None
    extensions = body["errors"][0]["extensions"]
    assert extensions["code"] == "conflict"
    assert extensions["current_revision"]["id"] == current
    assert extensions["current_revision"]["number"] == 2
    assert extensions["current_revision"]["body"] == "v2\n"
    assert Guide.objects.get(pk=guide.pk).body == "v2\n"


def test_a_content_edit_without_a_base_revision_is_refused(gql, learner):
    guide = write_guide(learner)

    body = gql(UPDATE_GUIDE, {"slug": guide.slug, "input": {"title": "New"}}, as_user=learner)

    assert body.error_code == "validation_error"
    assert "base_revision" in body["errors"][0]["extensions"]["errors"]


@pytest.mark.parametrize("viewer", ["anonymous", "other_learner"])
def test_drafts_are_invisible_to_anonymous_and_other_learners(
    gql, request, learner, django_tech, viewer
):
    as_user = None if viewer == "anonymous" else request.getfixturevalue(viewer)
    write_guide(learner, title="Public", status="published", technologies=["django"])
    draft = write_guide(learner, title="Draft", technologies=["django"])

    listed = gql("{ guides { results { title } } }", as_user=as_user)
    drafts = gql('{ guides(status: "draft") { results { title } } }', as_user=as_user)
    single = gql('{ guide(slug: "%s") { title } }' % draft.slug, as_user=as_user)
    nested = gql('{ technology(slug: "django") { guides { title } } }', as_user=as_user)
    history = gql('{ guideRevisions(slug: "%s") { results { id } } }' % draft.slug, as_user=as_user)

    assert listed == {"data": {"guides": {"results": [{"title": "Public"}]}}}
    assert drafts == {"data": {"guides": {"results": []}}}
    assert single.error_code == "not_found"
    assert nested == {"data": {"technology": {"guides": [{"title": "Public"}]}}}
    assert history.error_code == "not_found"


@pytest.mark.parametrize("viewer", ["learner", "staff"])
def test_drafts_are_visible_to_their_author_and_to_staff(
    gql, request, learner, django_tech, viewer
):
    as_user = request.getfixturevalue(viewer)
    draft = write_guide(learner, title="Draft", technologies=["django"])

    listed = gql("{ guides { results { title status } } }", as_user=as_user)
    single = gql('{ guide(slug: "%s") { title } }' % draft.slug, as_user=as_user)
    nested = gql('{ technology(slug: "django") { guides { title } } }', as_user=as_user)

    assert listed == {"data": {"guides": {"results": [{"title": "Draft", "status": "draft"}]}}}
    assert single == {"data": {"guide": {"title": "Draft"}}}
    assert nested == {"data": {"technology": {"guides": [{"title": "Draft"}]}}}


def test_a_co_editor_sees_and_edits_the_draft_they_were_invited_to(gql, learner, other_learner):
    draft = write_guide(learner, title="Pair notes", co_editors=[other_learner.username])

    listed = gql("{ guides { results { title coEditors { username } } } }", as_user=other_learner)
    edited = gql(
        UPDATE_GUIDE,
        {
            "slug": draft.slug,
            "input": {"title": "Pair notes, v2", "baseRevision": draft.current_revision_id},
        },
        as_user=other_learner,
    )

    assert listed == {
        "data": {
            "guides": {
                "results": [
                    {"title": "Pair notes", "coEditors": [{"username": other_learner.username}]}
                ]
            }
        }
    }
    assert edited["data"]["updateGuide"]["currentRevision"]["editor"] == {
        "username": other_learner.username
    }


def test_another_learner_cannot_update_a_guide(gql, learner, other_learner):
    guide = write_guide(learner, title="Mine", status="published")

    body = gql(
        UPDATE_GUIDE,
        {
            "slug": guide.slug,
            "input": {"title": "Theirs", "baseRevision": guide.current_revision_id},
        },
        as_user=other_learner,
    )

    assert body["data"] is None
    assert body.error_code == "permission_denied"
    assert Guide.objects.get(pk=guide.pk).title == "Mine"


def test_writing_a_guide_needs_a_signed_in_user(gql):
    body = gql(CREATE_GUIDE, {"input": {"title": "Anon", "body": "x"}})

    assert body.error_code == "not_authenticated"
    assert not Guide.objects.exists()


def test_invalid_guide_input_gives_field_errors_and_stores_nothing(gql, learner):
    body = gql(
        CREATE_GUIDE,
        {"input": {"title": " ", "body": "x", "kind": "novel", "technologies": ["cobol"]}},
        as_user=learner,
    )

    assert body.error_code == "validation_error"
    assert set(body["errors"][0]["extensions"]["errors"]) == {"title", "kind", "technologies"}
    assert not Guide.objects.exists()


def test_the_author_deletes_a_guide_and_only_staff_bring_it_back(
    gql, learner, staff, other_learner
):
    guide = write_guide(learner, title="Gone soon", status="published")
    delete = 'mutation { deleteGuide(slug: "%s") }' % guide.slug
    undelete = 'mutation { undeleteGuide(slug: "%s") { title deletedAt } }' % guide.slug

    refused = gql(delete, as_user=other_learner)
    deleted = gql(delete, as_user=learner)
    hidden = gql("{ guides { results { title } } }", as_user=learner)
    staff_sees = gql("{ guides(deleted: true) { results { title deletedAt } } }", as_user=staff)
    learner_cannot_undelete = gql(undelete, as_user=learner)
    undeleted = gql(undelete, as_user=staff)

    assert refused.error_code == "permission_denied"
    assert deleted == {"data": {"deleteGuide": True}}
    assert hidden == {"data": {"guides": {"results": []}}}
    assert staff_sees["data"]["guides"]["results"][0]["title"] == "Gone soon"
    assert staff_sees["data"]["guides"]["results"][0]["deletedAt"] is not None
    assert learner_cannot_undelete.error_code == "permission_denied"
    assert undeleted == {"data": {"undeleteGuide": {"title": "Gone soon", "deletedAt": None}}}


def test_guides_are_filtered_ordered_and_paged(gql, learner, other_learner, django_tech):
    write_guide(learner, title="Bravo", status="published", technologies=["django"])
    write_guide(other_learner, title="Alpha", status="published", kind="cheat_sheet")
    write_guide(learner, title="Charlie", status="published", tags=["orm"])

    by_title = gql('{ guides(ordering: "title") { results { title } } }')
    first = gql('{ guides(ordering: "-title", first: 1) { pageInfo { endCursor } } }')
    after = first["data"]["guides"]["pageInfo"]["endCursor"]
    page = gql(
        'query($after: String) { guides(ordering: "-title", first: 1, after: $after) '
        "{ results { title } } }",
        {"after": after},
    )
    on_django = gql('{ guides(technology: "django") { results { title } } }')
    by_author = gql('{ guides(author: "%s") { results { title } } }' % other_learner.username)
    cheat_sheets = gql('{ guides(kind: "cheat_sheet", q: "alp") { results { title } } }')
    tagged = gql('{ guides(tag: "orm") { results { title } } }')
    bad_ordering = gql('{ guides(ordering: "author") { results { title } } }')
    bad_first = gql("{ guides(first: -1) { results { title } } }")

    titles = [g["title"] for g in by_title["data"]["guides"]["results"]]
    assert titles == ["Alpha", "Bravo", "Charlie"]
    assert page == {"data": {"guides": {"results": [{"title": "Bravo"}]}}}
    assert on_django == {"data": {"guides": {"results": [{"title": "Bravo"}]}}}
    assert by_author == {"data": {"guides": {"results": [{"title": "Alpha"}]}}}
    assert cheat_sheets == {"data": {"guides": {"results": [{"title": "Alpha"}]}}}
    assert tagged == {"data": {"guides": {"results": [{"title": "Charlie"}]}}}
    assert bad_ordering.error_code == "validation_error"
    assert "ordering" in bad_ordering["errors"][0]["extensions"]["errors"]
    assert bad_first.error == {"code": "validation_error", "errors": {"first": ["From 1 to 100."]}}


def test_the_guide_page_size_is_capped(gql, learner):
    Guide.objects.bulk_create(
        Guide(slug=f"g-{n}", title=f"G {n}", body="x", status="published", author=learner)
        for n in range(105)
    )

    too_many = gql("{ guides(first: 101) { results { slug } } }")
    body = gql("{ guides(first: 100) { results { slug } pageInfo { hasNextPage } } }")
    walked = gql.walk(
        "query($after: String) { guides(first: 100, after: $after) "
        "{ results { slug } pageInfo { hasNextPage endCursor } } }"
    )

    assert too_many.error_code == "validation_error"
    assert len(body["data"]["guides"]["results"]) == 100
    assert body["data"]["guides"]["pageInfo"] == {"hasNextPage": True}
    assert sorted(guide["slug"] for guide in walked) == sorted(f"g-{n}" for n in range(105))


def test_a_mentor_creates_and_edits_technologies_and_concepts(gql, mentor):
    created = gql(
        """mutation { createTechnology(input: {
             name: "PostgreSQL", category: "database", docsUrl: "https://www.postgresql.org/docs/"
           }) { slug name category docsUrl guideCount } }""",
        as_user=mentor,
    )
    edited = gql(
        'mutation { updateTechnology(slug: "postgresql", input: {summary: "SQL."}) '
        "{ summary name } }",
        as_user=mentor,
    )
    concept = gql(
        'mutation { createConcept(input: {name: "Indexes", technologies: ["postgresql"]}) '
        "{ slug technologies { slug } guideCount } }",
        as_user=mentor,
    )
    relinked = gql(
        'mutation { updateConcept(slug: "indexes", input: {technologies: []}) '
        "{ technologies { slug } } }",
        as_user=mentor,
    )

    assert created == {
        "data": {
            "createTechnology": {
                "slug": "postgresql",
                "name": "PostgreSQL",
                "category": "database",
                "docsUrl": "https://www.postgresql.org/docs/",
                "guideCount": 0,
            }
        }
    }
    assert edited == {"data": {"updateTechnology": {"summary": "SQL.", "name": "PostgreSQL"}}}
    assert concept == {
        "data": {
            "createConcept": {
                "slug": "indexes",
                "technologies": [{"slug": "postgresql"}],
                "guideCount": 0,
            }
        }
    }
    assert relinked == {"data": {"updateConcept": {"technologies": []}}}


def test_a_learner_cannot_create_a_technology_and_anonymous_must_sign_in(gql, learner):
    mutation = 'mutation { createTechnology(input: {name: "Go", category: "language"}) { slug } }'

    as_learner = gql(mutation, as_user=learner)
    anonymous = gql(mutation)

    assert as_learner.error_code == "permission_denied"
    assert anonymous.error_code == "not_authenticated"
    assert not Technology.objects.exists()


GUIDE_LIST = (
    "{ guides { results { title author { username } technologies { slug } tags { slug } } } }"
)


def test_the_guide_list_costs_the_same_queries_for_three_or_nine_guides(
    gql, user_factory, learner, mentor
):
    for name in ("Django", "Redis", "Celery"):
        services.technology_create(actor=mentor, data={"name": name, "category": "framework"})

    def add_guides(count):
        for _ in range(count):
            author = user_factory()
            write_guide(
                author,
                status="published",
                technologies=["django", "redis", "celery"],
                tags=[f"tag-{author.pk}", "common"],
            )

    add_guides(3)
    three, queries_for_three = gql.queries(GUIDE_LIST, as_user=learner)
    add_guides(6)
    nine, queries_for_nine = gql.queries(GUIDE_LIST, as_user=learner)

    assert (len(three["guides"]["results"]), len(nine["guides"]["results"])) == (3, 9)
    assert queries_for_three == queries_for_nine


def test_technology_detail_guides_cost_the_same_queries_for_three_or_nine_guides(
    gql, user_factory, mentor, django_tech
):
    query = '{ technology(slug: "django") { guides { author { username } tags { slug } } } }'

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            gql(query)
        return len(queries)

    for _ in range(3):
        write_guide(user_factory(), status="published", technologies=["django"], tags=["a"])
    queries_for_three = count_queries()
    for _ in range(6):
        write_guide(user_factory(), status="published", technologies=["django"], tags=["b"])

    assert count_queries() == queries_for_three


def test_nested_people_cost_no_query_per_row(gql, user_factory, make_guide):
    query = """{ guides(first: 100) {
      results { author { displayName role } coEditors { displayName role } }
    } }"""

    def count_for(n):
        for _ in range(n):
            make_guide(
                author=user_factory(), status="published", co_editors=[user_factory().username]
            )
        return gql.queries(query)[1]

    assert count_for(3) == count_for(6)


def test_guide_revisions_cost_no_query_per_row(gql, learner, make_guide):
    def count_for(edits):
        guide = make_guide(status="published")
        for n in range(edits):
            services.guide_update(
                actor=learner,
                slug=guide.slug,
                data={"body": f"v{n}", "base_revision": guide.current_revision_id},
            )
            guide.refresh_from_db()
        query = (
            '{ guideRevisions(slug: "%s") { results { number editor { username } } } }' % guide.slug
        )
        body, queries = gql.queries(query)
        assert len(body["guideRevisions"]["results"]) == edits + 1
        return queries

    assert count_for(1) == count_for(5)
