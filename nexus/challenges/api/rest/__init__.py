"""REST door of the challenges app: its URLs; the views live by area beside them."""

from __future__ import annotations

from django.urls import path

from nexus.challenges.api.rest import challenges, comments, moderation, solutions

urlpatterns = [
    path("challenges/", challenges.ChallengeListView.as_view(), name="challenge-list"),
    path(
        "challenges/similar/", challenges.ChallengeSimilarView.as_view(), name="challenge-similar"
    ),
    path(
        "challenges/<int:challenge_id>/",
        challenges.ChallengeDetailView.as_view(),
        name="challenge-detail",
    ),
    path(
        "challenges/<int:challenge_id>/revisions/",
        challenges.ChallengeRevisionListView.as_view(),
        name="challenge-revisions",
    ),
    path(
        "challenges/<int:challenge_id>/solutions/",
        solutions.SolutionListView.as_view(),
        name="challenge-solutions",
    ),
    path(
        "challenges/<int:target_id>/comments/",
        comments.comment_view("challenge").as_view(),
        name="challenge-comments",
    ),
    path(
        "challenges/<int:target_id>/vote/",
        challenges.vote_view("challenge").as_view(),
        name="challenge-vote",
    ),
    path(
        "challenges/<int:challenge_id>/follow/",
        challenges.flag_view("follow").as_view(),
        name="challenge-follow",
    ),
    path(
        "challenges/<int:challenge_id>/bookmark/",
        challenges.flag_view("bookmark").as_view(),
        name="challenge-bookmark",
    ),
    path(
        "challenges/<int:challenge_id>/close/",
        moderation.ChallengeCloseView.as_view(),
        name="challenge-close",
    ),
    path(
        "challenges/<int:challenge_id>/reopen/",
        moderation.ChallengeReopenView.as_view(),
        name="challenge-reopen",
    ),
    path(
        "challenges/<int:challenge_id>/duplicate/",
        moderation.ChallengeDuplicateView.as_view(),
        name="challenge-duplicate",
    ),
    path(
        "challenges/<int:target_id>/hide/",
        moderation.hide_view("challenge", True),
        name="challenge-hide",
    ),
    path(
        "challenges/<int:target_id>/unhide/",
        moderation.hide_view("challenge", False),
        name="challenge-unhide",
    ),
    path(
        "solutions/<int:solution_id>/",
        solutions.SolutionDetailView.as_view(),
        name="solution-detail",
    ),
    path(
        "solutions/<int:target_id>/vote/",
        challenges.vote_view("solution").as_view(),
        name="solution-vote",
    ),
    path(
        "solutions/<int:solution_id>/accept/",
        solutions.SolutionAcceptView.as_view(),
        name="solution-accept",
    ),
    path(
        "solutions/<int:solution_id>/promote/",
        solutions.SolutionPromoteView.as_view(),
        name="solution-promote",
    ),
    path(
        "solutions/<int:target_id>/comments/",
        comments.comment_view("solution").as_view(),
        name="solution-comments",
    ),
    path(
        "solutions/<int:target_id>/hide/",
        moderation.hide_view("solution", True),
        name="solution-hide",
    ),
    path(
        "solutions/<int:target_id>/unhide/",
        moderation.hide_view("solution", False),
        name="solution-unhide",
    ),
    path("comments/<int:comment_id>/", comments.CommentDetailView.as_view(), name="comment-detail"),
    path(
        "comments/<int:target_id>/hide/", moderation.hide_view("comment", True), name="comment-hide"
    ),
    path(
        "comments/<int:target_id>/unhide/",
        moderation.hide_view("comment", False),
        name="comment-unhide",
    ),
    path("moderation-log/", moderation.ModerationLogView.as_view(), name="moderation-log"),
    path("me/bookmarks/", challenges.my_list_view("bookmarks"), name="my-bookmarks"),
    path("me/following/", challenges.my_list_view("following"), name="my-following"),
    path("leaderboard/", challenges.LeaderboardView.as_view(), name="leaderboard"),
]
