"""Users: the admin's list of accounts."""

from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject
from flask.views import MethodView

from container import Container
from core.domain.paging import Page, Window, map_page
from core.domain.users import User
from core.services.accounts import AccountService
from core.services.lookups import Lookups
from entrypoints.http import auth
from entrypoints.http.paging import NewestPageArgs, paged
from entrypoints.http.parsing import Blueprint, fails
from entrypoints.http.schemas import AdminUserSchema

blp = Blueprint("users", __name__, url_prefix="/api/users", description="Users (admin)")


def admin_rows(page: Page[User], lookups: Lookups) -> Page[dict[str, Any]]:
    """Users joined with their summaries (nickname and avatar live on the profile)."""
    summaries = lookups.summaries(u.id for u in page.results)
    rows = []
    for user in page.results:
        summary = summaries.get(user.id)
        rows.append(
            {
                "id": user.id,
                "username": user.username,
                "nickname": summary.nickname if summary else None,
                "avatar_url": summary.avatar_url if summary else None,
                "email": user.email,
                "is_admin": user.is_admin,
                "is_active": user.is_active,
                "created_at": user.created_at,
            }
        )
    return map_page(page, rows)


@blp.route("/")
class Users(MethodView):
    @auth.required
    @blp.arguments(NewestPageArgs, location="query")
    @paged(blp, AdminUserSchema)
    @fails(blp, 400, 401, 403, 429)
    @inject
    def get(
        self,
        window: Window,
        accounts: AccountService = Provide[Container.accounts],
        lookups: Lookups = Provide[Container.lookups],
    ) -> Page[dict[str, Any]]:
        """Every account, newest first (admins only)."""
        return admin_rows(accounts.list_users(auth.current_user(), window), lookups)
