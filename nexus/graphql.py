"""The GraphQL schema: each app's Query and Mutation merged into one."""

from __future__ import annotations

import strawberry
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.tools import merge_types
from strawberry_django.optimizer import DjangoOptimizerExtension

from nexus.accounts.api import graphql as accounts_graphql
from nexus.challenges.api import graphql as challenges_graphql
from nexus.collaboration.api import graphql_channels as channels_graphql
from nexus.collaboration.api import graphql_reviews as reviews_graphql
from nexus.core.graphql import MAX_ALIASES, MAX_QUERY_DEPTH, MAX_TOKENS, ErrorShapeExtension
from nexus.journeys.api import graphql as journeys_graphql
from nexus.knowledge.api import graphql as knowledge_graphql
from nexus.notifications.api import graphql as notifications_graphql
from nexus.search.api import graphql as search_graphql

Query = merge_types(
    "Query",
    (
        accounts_graphql.Query,
        knowledge_graphql.Query,
        challenges_graphql.Query,
        notifications_graphql.Query,
        reviews_graphql.Query,
        channels_graphql.Query,
        journeys_graphql.Query,
        search_graphql.Query,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        accounts_graphql.Mutation,
        knowledge_graphql.Mutation,
        challenges_graphql.Mutation,
        notifications_graphql.Mutation,
        reviews_graphql.Mutation,
        channels_graphql.Mutation,
        journeys_graphql.Mutation,
    ),
)

schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    extensions=[
        DjangoOptimizerExtension,
        lambda: QueryDepthLimiter(max_depth=MAX_QUERY_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        ErrorShapeExtension,
    ],
)
