"""Demo challenges: the four of the programme's journey document, asked and solved.

The journey document's "Challenges & Solutions" lists four problems met along
the way. `load_demo_challenges` posts each as the demo learner would have
asked it, answers it as the demo mentor would, accepts the answer and adds a
few votes and comments, all through the services so that revisions, counters
and the reputation ledger are exactly what real use would leave behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.db import transaction
from django.db.models import Q

from nexus.accounts.models import User
from nexus.challenges import services
from nexus.challenges.models import Challenge, Comment, Solution, Vote
from nexus.knowledge.demo import CONCEPTS, TECHNOLOGIES
from nexus.knowledge.models import Concept, Technology

Role = Literal["learner", "mentor", "staff"]
Target = Literal["challenge", "solution"]


@dataclass(frozen=True)
class CommentSpec:
    on: Target
    author_role: Role
    body: str


@dataclass(frozen=True)
class ChallengeSpec:
    title: str
    technologies: tuple[str, ...]
    concepts: tuple[str, ...]
    tags: tuple[str, ...]
    body: str
    solution: str
    solution_author: Role = "mentor"
    challenge_voters: tuple[Role, ...] = ("mentor", "staff")
    solution_voters: tuple[Role, ...] = ("staff", "learner")
    comments: tuple[CommentSpec, ...] = ()


# Who asks every demo challenge (and accepts its answer).
ASKER: Role = "learner"

CHALLENGES: tuple[ChallengeSpec, ...] = (
    ChallengeSpec(
        title="Setting up CI/CD for the first time: tests pass locally but fail on GitHub Actions",
        technologies=("github-actions", "ci-cd", "postgresql", "docker", "python"),
        concepts=(),
        tags=("ci-cd", "testing", "deployment"),
        body="""\
This is my first time setting up CI/CD and I can't get the build automated.
I added a workflow so the tests run on every push, but every run fails, while
`pytest` passes on my laptop (84 passed).

My workflow, `.github/workflows/ci.yml`:

```yaml
name: CI
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: pip install -r requirements.txt
      - run: pytest
```

The job gets as far as the first test that touches the database:

```
django.db.utils.OperationalError: connection to server at "localhost" (127.0.0.1),
port 5432 failed: Connection refused
    Is the server running on that host and accepting TCP/IP connections?
```

What I tried:

- Adding `sleep 10` before `pytest`: same error.
- Switching to SQLite when `CI` is set: the database error goes away, but the
  migration that adds our `ArrayField` fails, so that's not really a fix.
- Putting the database password straight into `settings.py` (I reverted it
  before pushing, I know it doesn't belong there).

After the tests pass I also want to build the Docker image and deploy it, but
only from `main`, and I don't see how the server credentials get into the
pipeline without committing them.

Environment: Python 3.11, Django 5.2, PostgreSQL 16 installed locally on
Ubuntu 22.04 (WSL2), settings read `DATABASE_URL` from the environment.
""",
        solution="""\
Nothing is wrong with your tests: the runner is a fresh virtual machine, and
nothing on it listens on port 5432. Your laptop has PostgreSQL installed; the
runner doesn't. Give the job its own database and build the pipeline up in
small steps.

**1. Start PostgreSQL as a service container.** GitHub Actions starts it
before your steps and, with a health check, waits until it accepts
connections. The job runs on the runner itself, so the mapped port is on
`localhost`:

```yaml
name: CI
on:
  push:
  pull_request:

jobs:
  test:
    runs-on: ubuntu-latest
    services:
      postgres:
        image: postgres:16
        env:
          POSTGRES_USER: nexus
          POSTGRES_PASSWORD: nexus
          POSTGRES_DB: nexus
        ports: ["5432:5432"]
        options: >-
          --health-cmd "pg_isready -U nexus"
          --health-interval 5s
          --health-timeout 5s
          --health-retries 10
    env:
      DATABASE_URL: postgres://nexus:nexus@localhost:5432/nexus
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
          cache: pip
      - run: pip install -r requirements.txt
      - run: ruff check .
      - run: pytest
```

That password is fine to commit: it only exists inside a throwaway job.

**2. Keep testing on PostgreSQL.** Don't fall back to SQLite in CI. The point
of the pipeline is to catch what would break in production, and your
`ArrayField` migration just showed you the two databases differ.

**3. Cache dependencies.** `cache: pip` on `setup-python` turns a two-minute
install into a few seconds, which matters when you push often.

**4. Add the build and deploy as separate jobs that need the tests:**

```yaml
  deploy:
    needs: test
    if: github.ref == 'refs/heads/main'
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: docker build -t nexus:${{ github.sha }} .
      # push the image and roll it out with your host's CLI here
    env:
      DEPLOY_TOKEN: ${{ secrets.DEPLOY_TOKEN }}
```

Real credentials go in *Settings → Secrets and variables → Actions* and reach
the job as `${{ secrets.NAME }}`. They are masked in the logs and never live
in the repository.

**5. Make CI and your laptop run the same command.** Put lint and tests
behind one script or `make check`, and call that in the workflow. Then "it
passes locally" means the same thing in both places.

Start with step 1 alone and get it green, then add the rest one at a time.
When a run fails, open the failing step's log before changing anything.
""",
        comments=(
            CommentSpec(
                on="solution",
                author_role="learner",
                body=(
                    "The service container did it: green on the first push. I took the "
                    "SQLite fallback out again, and the deploy job now only runs on `main`."
                ),
            ),
        ),
    ),
    ChallengeSpec(
        title="Debugging complex API integration with frontend: the data never matches",
        technologies=("django-rest-framework", "postman", "django"),
        concepts=(),
        tags=("debugging", "api-docs", "collaboration", "frontend"),
        body="""\
I'm pairing with a frontend learner on the profile page, and we keep going
around in circles because the data on each side doesn't match. They say the
API is broken, I say their requests are wrong, and neither of us can prove it.

What their page sends when the form is saved (copied from their code):

```json
{
  "displayName": "Amara",
  "dateOfBirth": "12/03/2001",
  "skills": "Python, Django"
}
```

What comes back is `400 Bad Request`, and their page only shows "Something
went wrong". When it does work (on a GET), they expect `author` to be a name
but get `"author": 3`, and `created_at` doesn't parse in their date picker.

What I tried:

- Adding `print(request.data)` in the view: I see an empty dict for some of
  their requests, which makes no sense to me.
- Making the serializer accept both `displayName` and `display_name`. It
  worked for that field and then the next one broke.
- Asking for screenshots of their console, which never show the full request.

Environment: Django 5.2 and Django REST Framework 3.16 on
`localhost:8000`, JWT auth; their app is Next.js on `localhost:3000` using
`fetch`.
""",
        solution="""\
Stop debugging through the other person's screen. Reproduce every request
yourself, find which side is off, then agree the contract once instead of
patching fields one at a time.

**1. Replay the real request in Postman.** Ask your partner to open DevTools →
Network, right-click the failing request → *Copy as cURL*, and send it to you.
Postman's *Import → Raw text* turns it into a request with their exact
headers, token and body. Your empty `request.data` is almost certainly a
missing `Content-Type: application/json` header: their body arrives as plain
text, and DRF has no parser for it.

**2. Read the 400 body, not the status.** DRF says exactly what it didn't like:

```json
{
  "date_of_birth": [
    "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
  ],
  "skills": ["Expected a list of items but got type \\"str\\"."]
}
```

Ask them to show `errors[field]` next to each input instead of a generic
message; half of your questions will disappear.

**3. Use the browsable API as the reference.** Open the endpoint in the
browser while logged in: you see the serializer's fields, which of them are
read-only, and a form to try a write. An `OPTIONS` request returns the same
field metadata as JSON, which your partner can read too.

**4. Fix the contract, not the symptoms.** Agree on one shape and apply it to
every endpoint:

- one naming style (keep snake_case, or convert everything in one parser and
  renderer pair, never field by field);
- dates and timestamps as ISO 8601 (`2001-03-12`, `2026-03-02T09:30:00Z`),
  which is DRF's default and what JavaScript's `Date` parses;
- related people as nested objects, not bare ids:

```python
class AuthorSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(source="profile.display_name")

    class Meta:
        model = User
        fields = ["username", "display_name"]


class GuideSerializer(serializers.ModelSerializer):
    author = AuthorSerializer(read_only=True)
```

**5. Write it down where both of you look.** Generate the OpenAPI schema
(drf-spectacular) and serve Swagger UI, and share the Postman collection with
a `{{base_url}}` and `{{access_token}}` environment, so they can run every
request themselves.

**6. Pin it with tests.** An API test per endpoint that asserts the status and
the response keys, so the shape can't drift again without a red build.
""",
        comments=(
            CommentSpec(
                on="challenge",
                author_role="staff",
                body=(
                    "Two frontend pairs asked about the same thing in #ProDevProjectNexus "
                    "this week; I've pointed them here."
                ),
            ),
            CommentSpec(
                on="solution",
                author_role="learner",
                body=(
                    "It was the missing `Content-Type` header all along. We now share one "
                    "Postman collection, and their form shows the field errors from the API."
                ),
            ),
        ),
    ),
    ChallengeSpec(
        title="Managing asynchronous tasks with Celery & RabbitMQ: long-running tasks keep failing",
        technologies=("celery", "rabbitmq", "flower", "docker-compose"),
        concepts=("message-queues", "asynchronous-programming"),
        tags=("celery", "background-jobs", "monitoring"),
        body="""\
Our weekly digest email is a Celery task, and it keeps failing partway
through. It loops over every active learner (about 1,200 now), renders their
digest and sends it:

```python
@shared_task(bind=True, max_retries=3)
def send_weekly_digest(self):
    for user in User.objects.filter(is_active=True):
        html = render_digest(user)  # a few queries, about 0.5 s each
        send_mail("Your week in Nexus", "", None, [user.email], html_message=html)
```

What happens:

- After five minutes the worker logs `SoftTimeLimitExceeded` and the task stops.
- When I raised `time_limit` to an hour, a worker restart during a deploy
  killed it halfway, and the task was simply gone.
- When it did get retried, people who had already received the digest got
  it a second time (two learners noticed).
- From the worker logs I can't tell which users were sent the email and which
  weren't.

Environment: Django 5.2, Celery 5.4, RabbitMQ 3.13 and the worker running in
Docker Compose, started with `celery -A nexus worker -l info --concurrency 4`.
""",
        solution="""\
One task that does everything has to finish in one go, on one worker, without
a single failure. Make the unit of work small, safe to repeat and visible.

**1. Break the task into smaller units.** Let a fan-out task collect the ids
and queue one small task per learner. Pass ids, not model instances: the
message stays small and the task reads fresh data.

```python
from celery import group, shared_task


@shared_task
def send_weekly_digest() -> None:
    week = current_week()  # e.g. "2026-W10"
    user_ids = User.objects.filter(is_active=True).values_list("pk", flat=True)
    group(send_digest_to_user.s(user_id, week) for user_id in user_ids).apply_async()
```

**2. Make each unit idempotent.** Record the delivery under a unique key
before sending and skip what is already done, so a retry or a redelivered
message sends nothing twice:

```python
@shared_task(
    autoretry_for=(SMTPException, ConnectionError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
    acks_late=True,
    soft_time_limit=30,
)
def send_digest_to_user(user_id: int, week: str) -> None:
    delivery, _ = DigestDelivery.objects.get_or_create(user_id=user_id, week=week)
    if delivery.sent_at is not None:
        return
    user = User.objects.get(pk=user_id)
    send_mail(
        "Your week in Nexus", "", None, [user.email], html_message=render_digest(user)
    )
    delivery.sent_at = timezone.now()
    delivery.save(update_fields=["sent_at"])
```

with a `UniqueConstraint(fields=["user", "week"])` on `DigestDelivery`.

**3. Let RabbitMQ redeliver after a crash.** `acks_late=True` acknowledges the
message only when the task has finished, so a worker killed mid-task leaves it
on the queue for another worker. Add `task_reject_on_worker_lost = True` and
`worker_prefetch_multiplier = 1` to the Celery settings so a worker doesn't
hoard messages it may never run. Because each task is idempotent, receiving a
message twice is harmless.

**4. Retry only what is temporary.** `autoretry_for` with `retry_backoff`
retries a network or SMTP hiccup with growing delays; a bug fails at once
instead of retrying forever.

**5. Watch it with Flower.** Add it to Compose next to the worker:

```yaml
  flower:
    image: mher/flower:2.0
    command: celery --broker=amqp://guest:guest@rabbitmq:5672// flower --port=5555
    ports: ["5555:5555"]
    depends_on: [rabbitmq]
```

The *Tasks* page filters by state (FAILURE, RETRY) and shows each task's
arguments, runtime and traceback, so "which users didn't get it" becomes a
filter instead of a guess.

**6. Optionally, give slow work its own queue** (`task_routes`) and worker,
so a big digest run never delays password-reset emails.
""",
        comments=(
            CommentSpec(
                on="solution",
                author_role="learner",
                body=(
                    "Split it into one task per learner: the whole digest now takes under a "
                    "minute on four workers, and Flower showed three SMTP retries that all "
                    "succeeded. Nobody got it twice."
                ),
            ),
        ),
    ),
    ChallengeSpec(
        title="Dockerizing Django apps with proper networking: app container can't reach Postgres",
        technologies=("docker", "docker-compose", "django", "postgresql", "redis"),
        concepts=("system-design", "database-design-management"),
        tags=("docker", "networking", "deployment"),
        body="""\
I'm moving my Django project into Docker and the app container can't connect
to the database container. My `compose.yaml`:

```yaml
services:
  web:
    build: .
    command: python manage.py runserver 0.0.0.0:8000
    ports: ["8000:8000"]
    depends_on: [db]
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: postgres
    ports: ["5432:5432"]
```

and in `settings.py`, the same database settings I use without Docker:

```python
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "postgres",
        "USER": "postgres",
        "PASSWORD": "postgres",
        "HOST": "localhost",
        "PORT": "5432",
    }
}
```

`docker compose up` first failed with `Bind for 0.0.0.0:5432 failed: port is
already allocated`. I stopped my local PostgreSQL, and now `web` starts but
every request fails with:

```
django.db.utils.OperationalError: connection to server at "localhost" (127.0.0.1),
port 5432 failed: Connection refused
```

What I tried: `"HOST": "127.0.0.1"` (same error), and `docker compose restart
web`, which sometimes works and sometimes doesn't. I'm also about to add Redis
and I'd like to get this right before it's three containers that can't see
each other.

Environment: Docker Desktop on Windows 11 (WSL2), Compose v2, Django 5.2,
psycopg 3.
""",
        solution="""\
Inside a container, `localhost` is the container itself. Your `web` container
has no PostgreSQL in it, so the connection is refused. The fix is to let
Compose do the networking, and to make the app wait until the database is
ready instead of restarting it until it works.

**1. Reach other services by their service name.** Compose puts every service
on one network where each is reachable by its name (`db`, `redis`), on the
container's own port. Pass the address in from the environment instead of
hard-coding it:

```python
import dj_database_url

DATABASES = {"default": dj_database_url.config(conn_max_age=60)}
```

**2. Wait for health, not for start.** `depends_on: [db]` only waits for the
container to *start*; PostgreSQL needs a few more seconds before it accepts
connections, which is why restarting `web` sometimes helped. A health check
fixes that:

```yaml
services:
  web:
    build: .
    command: python manage.py runserver 0.0.0.0:8000
    ports: ["8000:8000"]
    environment:
      DATABASE_URL: postgres://nexus:nexus@db:5432/nexus
      REDIS_URL: redis://redis:6379/0
    depends_on:
      db:
        condition: service_healthy
      redis:
        condition: service_started
  db:
    image: postgres:16
    environment:
      POSTGRES_USER: nexus
      POSTGRES_PASSWORD: nexus
      POSTGRES_DB: nexus
    volumes: ["pgdata:/var/lib/postgresql/data"]
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U nexus"]
      interval: 5s
      timeout: 5s
      retries: 10
  redis:
    image: redis:7

volumes:
  pgdata:
```

**3. Publish only what you need from the host.** The app doesn't need
`ports` on `db` at all; containers talk over the Compose network. If you want
to open the database from your own tools, map it to another host port
(`"5433:5432"`) so it doesn't clash with your local PostgreSQL, and connect
from the host to `localhost:5433`.

**4. Keep the data in a named volume** (`pgdata` above), so
`docker compose down` doesn't wipe the database. Use `down -v` only when you
mean to.

**5. Debug from inside the network when something doesn't connect:**

```bash
docker compose ps                       # is db "healthy"?
docker compose logs db                  # did it initialise, with which user?
docker compose exec web python manage.py dbshell
```

**6. Run migrations as a step of their own:** `docker compose run --rm web
python manage.py migrate`. Redis then works the same way: `redis` is its
host name and `REDIS_URL` carries it to the cache settings.
""",
        comments=(
            CommentSpec(
                on="solution",
                author_role="learner",
                body=(
                    "Switched to `db` as the host and added the health check: it starts "
                    "cleanly every time now, Redis included. I moved the published port "
                    "to 5433 so my local PostgreSQL can stay."
                ),
            ),
        ),
    ),
)


def _existing_slugs(
    model: type[Technology] | type[Concept], names: dict[str, str]
) -> dict[str, str]:
    """Each demo slug's slug in the database, matched by slug or name as the knowledge demo does."""
    slugs: dict[str, str] = {}
    for slug, name in names.items():
        found = model.objects.filter(Q(slug=slug) | Q(name__iexact=name)).first()
        slugs[slug] = found.slug if found else slug
    return slugs


def _find_or_ask(asker: User, spec: ChallengeSpec, links: dict[str, dict[str, str]]) -> Challenge:
    challenge = Challenge.objects.filter(title=spec.title, author=asker).order_by("pk").first()
    if challenge is None:
        challenge = services.challenge_create(
            actor=asker,
            data={
                "title": spec.title,
                "body": spec.body,
                "technologies": [links["technologies"][slug] for slug in spec.technologies],
                "concepts": [links["concepts"][slug] for slug in spec.concepts],
                "tags": list(spec.tags),
            },
        )
    return challenge


def _find_or_answer(challenge: Challenge, author: User, body: str) -> Solution | None:
    """The author's answer, written if missing; None if it was removed or hidden since."""
    solution = Solution.objects.filter(challenge=challenge, author=author).order_by("pk").first()
    if solution is None:
        return services.solution_create(
            actor=author, challenge_id=challenge.pk, data={"body": body}
        )
    if solution.deleted_at is not None or solution.is_hidden:
        return None
    return solution


def _takes_answers(challenge: Challenge) -> bool:
    """Closed, duplicate, hidden or deleted challenges are left as they are."""
    return challenge.accepts_answers and not challenge.is_hidden and challenge.deleted_at is None


def _upvote(voter: User, target: Target, post: Challenge | Solution) -> None:
    # Any vote already there, up or down, is the voter's own and stays.
    on_post = {"challenge": post} if target == "challenge" else {"solution": post}
    if post.author_id == voter.pk or Vote.objects.filter(user=voter, **on_post).exists():
        return
    services.vote_cast(actor=voter, target=target, target_id=post.pk, value=1)


def _comment(author: User, target: Target, post: Challenge | Solution, body: str) -> None:
    on_post = {"challenge": post} if target == "challenge" else {"solution": post}
    if Comment.objects.filter(author=author, body=body, **on_post).exists():
        return
    services.comment_create(actor=author, target=target, target_id=post.pk, data={"body": body})


def _load_one(
    people: dict[str, User], spec: ChallengeSpec, links: dict[str, dict[str, str]]
) -> None:
    asker = people[ASKER]
    challenge = _find_or_ask(asker, spec, links)
    if not _takes_answers(challenge):
        return
    solution = _find_or_answer(challenge, people[spec.solution_author], spec.solution)
    if solution is None:
        return
    if challenge.accepted_solution_id is None:
        services.solution_accept(actor=asker, solution_id=solution.pk)
    for role in spec.challenge_voters:
        _upvote(people[role], "challenge", challenge)
    for role in spec.solution_voters:
        _upvote(people[role], "solution", solution)
    for comment in spec.comments:
        post: Challenge | Solution = challenge if comment.on == "challenge" else solution
        _comment(people[comment.author_role], comment.on, post, comment.body)


@transaction.atomic
def load_demo_challenges(people: dict[str, User]) -> None:
    """Ask, answer and accept the journey document's four challenges if missing.

    `people` are the demo users by role ("learner", "mentor", "staff"), and the
    knowledge demo must have run, as challenges link to its technologies and
    concepts. Each challenge is found by its exact title and author; its
    solution, acceptance, votes and comments are added only where missing, so
    running it again creates and changes nothing. Content staff closed, hid or
    deleted is left as it is.
    """
    links = {
        "technologies": _existing_slugs(Technology, {t.slug: t.name for t in TECHNOLOGIES}),
        "concepts": _existing_slugs(Concept, {c.slug: c.name for c in CONCEPTS}),
    }
    for spec in CHALLENGES:
        _load_one(people, spec, links)
