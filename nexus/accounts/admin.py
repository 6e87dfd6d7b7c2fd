from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from nexus.accounts import services
from nexus.accounts.models import Cohort, Profile, User


class ProfileInline(admin.StackedInline[Profile, User]):
    model = Profile
    can_delete = False
    autocomplete_fields = ("cohort",)


@admin.register(User)
# The stubs bind UserAdmin to AbstractUser; ours is an AbstractBaseUser with email login.
class UserAdmin(DjangoUserAdmin):  # type: ignore[type-arg]
    inlines = (ProfileInline,)
    ordering = ("-date_joined",)
    list_display = ("username", "email", "role_display", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active", "profile__role", "profile__track")
    search_fields = ("username", "email", "profile__display_name")
    list_select_related = ("profile",)
    fieldsets = (
        (None, {"fields": ("email", "username", "password")}),
        ("Status", {"fields": ("is_active", "is_email_verified", "is_staff", "is_superuser")}),
        ("Permissions", {"fields": ("groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "username", "password1", "password2")}),
    )

    @admin.display(description="role")
    def role_display(self, obj: User) -> str:
        return obj.role

    # After the profile inline is saved too, so the search document has both.
    def save_related(
        self, request: HttpRequest, form: ModelForm[User], formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        services.user_changed(form.instance.pk)

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        user_id = obj.pk
        super().delete_model(request, obj)
        services.user_changed(user_id)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        user_ids = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        for user_id in user_ids:
            services.user_changed(user_id)


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin[Cohort]):
    list_display = ("name", "slug", "starts_on", "ends_on")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
