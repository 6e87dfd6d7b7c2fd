from __future__ import annotations

import datetime

import factory
from factory.django import DjangoModelFactory

from nexus.accounts.tests.factories import UserFactory
from nexus.journeys.models import Goal, JournalEntry


class GoalFactory(DjangoModelFactory[Goal]):
    class Meta:
        model = Goal

    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Learn technology {n}")
    kind = Goal.Kind.LEARN
    status = Goal.Status.ACTIVE
    progress = 20


class JournalEntryFactory(DjangoModelFactory[JournalEntry]):
    class Meta:
        model = JournalEntry

    author = factory.SubFactory(UserFactory)
    date = factory.LazyFunction(datetime.date.today)
    title = factory.Sequence(lambda n: f"What I learnt on day {n}")
    body = "Cache reads, **invalidate** on write."
    body_html = "<p>Cache reads, <strong>invalidate</strong> on write.</p>"
    visibility = JournalEntry.Visibility.PUBLIC
