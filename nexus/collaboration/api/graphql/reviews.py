"""GraphQL door of peer reviews and mentoring: the same services and selectors as REST.

Lists are cursor pages of the selectors' querysets, which the optimizer
completes with whatever the query selects, so a page costs a fixed number of
SQL queries. `review(id)` and `mentorship(id)` return what the selectors built,
reviewers and feedback or notes included, and their nested fields only read
those lists.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
import strawberry_django
from strawberry.types import Info

from nexus.accounts.api.graphql import UserType
from nexus.collaboration.models import (
    MentorProfile,
    Mentorship,
    MentorshipNote,
    ReviewClaim,
    ReviewFeedback,
    ReviewRequest,
)
from nexus.collaboration.selectors import mentoring as mentoring_selectors
from nexus.collaboration.selectors import reviews as review_selectors
from nexus.collaboration.services import mentoring as mentoring_services
from nexus.collaboration.services import reviews as review_services
from nexus.core.errors import NotFound
from nexus.core.graphql import (
    PAGED,
    After,
    First,
    Page,
    given_filters,
    page,
    request_user,
    sent_fields,
    signed_in,
)
from nexus.core.pagination import PAGE_SIZE
from nexus.knowledge.api.graphql import ConceptRefType, TechnologyRefType

# --- Types ------------------------------------------------------------------------------


@strawberry_django.type(ReviewClaim, name="ReviewClaim", description="A reviewer's place.")
class ReviewClaimType:
    reviewer: UserType
    created_at: datetime = strawberry_django.field(description="When they claimed it.")


@strawberry_django.type(
    ReviewFeedback, name="ReviewFeedback", description="A reviewer's feedback on a request."
)
class ReviewFeedbackType:
    id: int
    reviewer: UserType
    verdict: str = strawberry_django.field(description="approve, changes_requested or comment.")
    body: str = strawberry_django.field(description="Markdown, as written.")
    body_html: str = strawberry_django.field(description="Rendered and sanitised HTML.")
    rating: int | None = strawberry_django.field(description="1 to 5, if given.")
    is_helpful: bool = strawberry_django.field(description="Marked helpful by the author.")
    created_at: datetime


@strawberry_django.type(
    ReviewRequest,
    name="ReviewRequest",
    description="A request for peers to review code on GitHub or GitLab.",
)
class ReviewRequestType:
    id: int
    title: str
    url: str = strawberry_django.field(description="The GitHub or GitLab code to review.")
    focus: str = strawberry_django.field(description="Markdown: what to look at.")
    focus_html: str = strawberry_django.field(description="Rendered and sanitised HTML.")
    author: UserType
    technologies: list[TechnologyRefType]
    reviewer_track: str = strawberry_django.field(
        description="The reviewers asked for: backend, frontend or any."
    )
    max_reviewers: int
    status: str = strawberry_django.field(description="open, in_review or done.")
    claim_count: int = strawberry_django.field(description="Reviewers so far.")
    feedback_count: int
    created_at: datetime
    updated_at: datetime

    @strawberry_django.field(
        only=["claim_count", "max_reviewers"], description="No place left for a reviewer."
    )
    def is_full(self, root: strawberry.Parent[ReviewRequest]) -> bool:
        return root.claim_count >= root.max_reviewers

    @strawberry_django.field(description="You claimed it.")
    def is_reviewer(self, root: strawberry.Parent[ReviewRequest]) -> bool:
        return bool(getattr(root, "viewer_is_reviewer", False))


@strawberry_django.type(
    ReviewRequest,
    name="ReviewRequestDetail",
    description="A review request with its reviewers and feedback.",
)
class ReviewRequestDetailType(ReviewRequestType):
    @strawberry_django.field(description="Its reviewers, first claim first.")
    def reviewers(self, root: strawberry.Parent[ReviewRequest]) -> list[ReviewClaimType]:
        return root.claim_list  # type: ignore[attr-defined, no-any-return]

    @strawberry_django.field(description="Its feedback, oldest first.")
    def feedback(self, root: strawberry.Parent[ReviewRequest]) -> list[ReviewFeedbackType]:
        return root.feedback_list  # type: ignore[attr-defined, no-any-return]


@strawberry_django.type(MentorProfile, name="Mentor", description="What a mentor offers.")
class MentorType:
    user: UserType
    technologies: list[TechnologyRefType]
    concepts: list[ConceptRefType]
    capacity: int = strawberry_django.field(description="Mentees at once.")
    active_count: int = strawberry_django.field(description="Active mentees now.")
    is_accepting: bool = strawberry_django.field(description="Takes new requests.")
    about: str
    updated_at: datetime

    @strawberry_django.field(only=["active_count", "capacity"], description="Below capacity now.")
    def has_room(self, root: strawberry.Parent[MentorProfile]) -> bool:
        return root.active_count < root.capacity


@strawberry_django.type(MentorshipNote, name="MentorshipNote")
class MentorshipNoteType:
    id: int
    author: UserType
    body: str = strawberry_django.field(description="Markdown, as written.")
    body_html: str = strawberry_django.field(description="Rendered and sanitised HTML.")
    created_at: datetime


@strawberry_django.type(
    Mentorship, name="Mentorship", description="A mentor and a mentee, requested to ended."
)
class MentorshipType:
    id: int
    mentor: UserType
    mentee: UserType
    goals: str
    status: str = strawberry_django.field(description="requested, active, declined or ended.")
    accepted_at: datetime | None
    ended_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @strawberry_django.field(only=["mentor_id"], description="mentor or mentee.")
    def my_role(self, root: strawberry.Parent[Mentorship], info: Info[Any, Any]) -> str:
        return "mentor" if root.mentor_id == request_user(info).pk else "mentee"


@strawberry_django.type(
    Mentorship, name="MentorshipDetail", description="A mentorship with its notes."
)
class MentorshipDetailType(MentorshipType):
    @strawberry_django.field(description="Its notes, oldest first.")
    def notes(self, root: strawberry.Parent[Mentorship]) -> list[MentorshipNoteType]:
        return root.note_list  # type: ignore[attr-defined, no-any-return]


# --- Inputs -----------------------------------------------------------------------------


@strawberry.input
class CreateReviewRequestInput:
    title: str = strawberry.field(description="5 to 200 characters.")
    url: str = strawberry.field(description="http(s) on github.com or gitlab.com.")
    focus: str | None = strawberry.field(
        default=strawberry.UNSET, description="Markdown: what to look at."
    )
    technologies: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Technology slugs."
    )
    reviewer_track: str | None = strawberry.field(
        default=strawberry.UNSET, description="backend, frontend or any (the default)."
    )
    max_reviewers: int | None = strawberry.field(default=strawberry.UNSET, description="1-5.")


@strawberry.input
class ReviewFeedbackInput:
    verdict: str = strawberry.field(description="approve, changes_requested or comment.")
    body: str = strawberry.field(description="Markdown.")
    rating: int | None = strawberry.field(default=strawberry.UNSET, description="1-5.")


@strawberry.input(description="Fields left out are not changed.")
class MentorProfileInput:
    technologies: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Technology slugs; replaces the links."
    )
    concepts: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Concept slugs; replaces the links."
    )
    capacity: int | None = strawberry.field(
        default=strawberry.UNSET, description="0-20, not below your active mentorships."
    )
    is_accepting: bool | None = strawberry.UNSET
    about: str | None = strawberry.UNSET


def _review(info: Info[Any, Any], request_id: int) -> ReviewRequestDetailType:
    review = review_selectors.review_request_get(viewer=request_user(info), request_id=request_id)
    return review  # type: ignore[return-value]


def _mentorship(info: Info[Any, Any], mentorship_id: int) -> MentorshipDetailType:
    mentorship = mentoring_selectors.mentorship_get(
        viewer=request_user(info), mentorship_id=mentorship_id, with_notes=True
    )
    return mentorship  # type: ignore[return-value]


# --- Queries ----------------------------------------------------------------------------


@strawberry.type
class Query:
    @strawberry.field(
        description="Peer review requests, newest first. `status` is open, in_review or done; "
        "`track` (the reviewers asked for) backend, frontend or any; `mine: true` keeps those "
        "you asked for, `reviewing: true` those you claimed (both need you signed in). "
        f"{PAGED}"
    )
    def reviews(
        self,
        info: Info[Any, Any],
        status: str | None = None,
        technology: str | None = None,
        track: str | None = None,
        mine: bool | None = None,
        reviewing: bool | None = None,
        first: First = PAGE_SIZE,
        after: After = None,
    ) -> Page[ReviewRequestType]:
        filters = given_filters(
            status=status, technology=technology, track=track, mine=mine, reviewing=reviewing
        )
        reviews = review_selectors.review_request_list(viewer=request_user(info), filters=filters)
        return page(reviews, ordering=("-created_at",), first=first, after=after)

    @strawberry.field(description="A review request with its reviewers and feedback.")
    def review(self, info: Info[Any, Any], id: int) -> ReviewRequestDetailType:
        return _review(info, id)

    @strawberry.field(
        description="Mentors and what they offer, newest first; `accepting: true` keeps "
        f"those taking new mentees. {PAGED}"
    )
    def mentors(
        self,
        technology: str | None = None,
        concept: str | None = None,
        accepting: bool | None = None,
        first: First = PAGE_SIZE,
        after: After = None,
    ) -> Page[MentorType]:
        filters = given_filters(technology=technology, concept=concept, accepting=accepting)
        mentors = mentoring_selectors.mentor_list(filters=filters)
        return page(mentors, ordering=("-created_at",), first=first, after=after)

    @strawberry.field(description="My mentor profile, or null when I have none.")
    def my_mentor_profile(self, info: Info[Any, Any]) -> MentorType | None:
        try:
            profile = mentoring_selectors.mentor_profile_get(user=signed_in(info))
        except NotFound:
            return None
        return profile  # type: ignore[return-value]

    @strawberry.field(
        description="My mentorships, as mentor or mentee, newest first; `status` is one of "
        f"requested, active, declined, ended. {PAGED}"
    )
    def mentorships(
        self,
        info: Info[Any, Any],
        status: str | None = None,
        first: First = PAGE_SIZE,
        after: After = None,
    ) -> Page[MentorshipType]:
        mentorships = mentoring_selectors.mentorship_list(
            viewer=signed_in(info), filters=given_filters(status=status)
        )
        return page(mentorships, ordering=("-created_at",), first=first, after=after)

    @strawberry.field(description="A mentorship with its notes (its mentor or mentee).")
    def mentorship(self, info: Info[Any, Any], id: int) -> MentorshipDetailType:
        signed_in(info)
        return _mentorship(info, id)


# --- Mutations --------------------------------------------------------------------------


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Ask for a peer review of code on GitHub or GitLab.")
    def create_review_request(
        self, info: Info[Any, Any], input: CreateReviewRequestInput
    ) -> ReviewRequestDetailType:
        review = review_services.review_request_create(
            actor=signed_in(info), data=sent_fields(input)
        )
        return _review(info, review.pk)

    @strawberry.mutation(
        description="Claim a review request as a reviewer: not your own, not twice, not when "
        "full (`conflict`) or done."
    )
    def claim_review(self, info: Info[Any, Any], id: int) -> ReviewRequestDetailType:
        review_services.review_request_claim(actor=signed_in(info), request_id=id)
        return _review(info, id)

    @strawberry.mutation(description="Give feedback on a review request you claimed.")
    def give_review_feedback(
        self, info: Info[Any, Any], id: int, input: ReviewFeedbackInput
    ) -> ReviewFeedbackType:
        feedback = review_services.review_feedback_create(
            actor=signed_in(info), request_id=id, data=sent_fields(input)
        )
        shown = review_selectors.review_feedback_get(
            viewer=request_user(info), request_id=id, feedback_id=feedback.pk
        )
        return shown  # type: ignore[return-value]

    @strawberry.mutation(
        description="Mark feedback helpful (`helpful: true`, the reviewer gains "
        f"{review_services.POINTS_HELPFUL_FEEDBACK} reputation) or not (the points go back). "
        "The request's author only."
    )
    def mark_feedback_helpful(
        self, info: Info[Any, Any], review_id: int, feedback_id: int, helpful: bool = True
    ) -> ReviewFeedbackType:
        review_services.review_feedback_set_helpful(
            actor=signed_in(info), request_id=review_id, feedback_id=feedback_id, helpful=helpful
        )
        shown = review_selectors.review_feedback_get(
            viewer=request_user(info), request_id=review_id, feedback_id=feedback_id
        )
        return shown  # type: ignore[return-value]

    @strawberry.mutation(description="Mark your review request done.")
    def complete_review(self, info: Info[Any, Any], id: int) -> ReviewRequestDetailType:
        review_services.review_request_complete(actor=signed_in(info), request_id=id)
        return _review(info, id)

    @strawberry.mutation(description="Create or edit my mentor profile (mentors and staff).")
    def set_mentor_profile(self, info: Info[Any, Any], input: MentorProfileInput) -> MentorType:
        user = signed_in(info)
        mentoring_services.mentor_profile_update(actor=user, data=sent_fields(input))
        return mentoring_selectors.mentor_profile_get(user=user)  # type: ignore[return-value]

    @strawberry.mutation(
        description="Ask a mentor (by username) for mentoring; the mentor is told. Not "
        "again while a request or mentorship with them is open (`conflict`)."
    )
    def request_mentorship(
        self, info: Info[Any, Any], mentor: str, goals: str
    ) -> MentorshipDetailType:
        mentorship = mentoring_services.mentorship_request(
            actor=signed_in(info), data={"mentor": mentor, "goals": goals}
        )
        return _mentorship(info, mentorship.pk)

    @strawberry.mutation(
        description="Accept a mentorship request (the mentor). At capacity: `conflict`."
    )
    def accept_mentorship(self, info: Info[Any, Any], id: int) -> MentorshipDetailType:
        mentoring_services.mentorship_accept(actor=signed_in(info), mentorship_id=id)
        return _mentorship(info, id)

    @strawberry.mutation(description="Decline a mentorship request (the mentor).")
    def decline_mentorship(self, info: Info[Any, Any], id: int) -> MentorshipDetailType:
        mentoring_services.mentorship_decline(actor=signed_in(info), mentorship_id=id)
        return _mentorship(info, id)

    @strawberry.mutation(
        description="End a mentorship (either side), or withdraw a request (the mentee)."
    )
    def end_mentorship(self, info: Info[Any, Any], id: int) -> MentorshipDetailType:
        mentoring_services.mentorship_end(actor=signed_in(info), mentorship_id=id)
        return _mentorship(info, id)

    @strawberry.mutation(description="Write a note on a mentorship (mentor or mentee).")
    def add_mentorship_note(self, info: Info[Any, Any], id: int, body: str) -> MentorshipNoteType:
        note = mentoring_services.mentorship_note_create(
            actor=signed_in(info), mentorship_id=id, data={"body": body}
        )
        shown = mentoring_selectors.mentorship_note_list(
            viewer=request_user(info), mentorship_id=id
        ).get(pk=note.pk)
        return shown  # type: ignore[return-value]
