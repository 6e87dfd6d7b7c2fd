from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from nexus.accounts.demo import DEMO_PASSWORD
from nexus.accounts.models import Cohort, Profile, User

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int]:
    return User.objects.count(), Profile.objects.count(), Cohort.objects.count()


def test_loading_the_demo_twice_creates_nothing_twice():
    call_command("load_demo", verbosity=0)
    first = counts()
    call_command("load_demo", verbosity=0)

    assert counts() == first == (4, 4, 1)


def test_demo_people_can_sign_in_with_their_roles(api_client):
    call_command("load_demo", verbosity=0)

    for email, role in [
        ("learner@demo.nexus", "learner"),
        ("frontend@demo.nexus", "learner"),
        ("mentor@demo.nexus", "mentor"),
        ("staff@demo.nexus", "staff"),
    ]:
        pair = api_client.post("/api/v1/auth/token/", {"email": email, "password": DEMO_PASSWORD})
        assert pair.status_code == 200
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair.json()['access']}")
        assert api_client.get("/api/v1/me/").json()["role"] == role


def test_the_demo_staff_manage_content_in_the_admin_but_not_accounts(client):
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)  # a second load keeps them in the group once
    staff = User.objects.get(email="staff@demo.nexus")
    client.force_login(staff)

    index = client.get("/admin/").content.decode()
    for listed in (
        "/admin/knowledge/tag/",
        "/admin/challenges/challenge/",
        "/admin/accounts/user/",
    ):
        assert listed in index, listed
        assert client.get(listed).status_code == 200, listed
    assert client.get("/admin/knowledge/tag/add/").status_code == 200
    assert client.get(f"/admin/accounts/user/{staff.pk}/delete/").status_code == 403
    assert (
        client.post(f"/admin/accounts/user/{staff.pk}/change/", {"is_superuser": "on"}).status_code
        == 403
    )
    assert staff.groups.count() == 1
    staff.refresh_from_db()
    assert not staff.is_superuser


def test_the_demo_prints_every_login_with_its_track():
    out = StringIO()

    call_command("load_demo", stdout=out)

    lines = out.getvalue().splitlines()
    for email, track in [
        ("learner@demo.nexus", "backend"),
        ("frontend@demo.nexus", "frontend"),
        ("mentor@demo.nexus", "fullstack"),
        ("staff@demo.nexus", "backend"),
    ]:
        [line] = [line for line in lines if line.endswith(f" {email}")]
        assert track in line.split()
        assert Profile.objects.get(user__email=email).track == track
    assert DEMO_PASSWORD in lines[0]


def test_the_demo_refuses_to_load_in_production(settings):
    settings.IS_PRODUCTION = True

    with pytest.raises(CommandError, match="development only"):
        call_command("load_demo", verbosity=0)
    assert counts() == (0, 0, 0)
