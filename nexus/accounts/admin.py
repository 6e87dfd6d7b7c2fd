from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

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


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin[Cohort]):
    list_display = ("name", "slug", "starts_on", "ends_on")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
