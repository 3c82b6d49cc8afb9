"""Users: the admin's list of accounts."""

from __future__ import annotations

from dependency_injector.wiring import Provide, inject
from flask.views import MethodView

from container import Container
from core.domain.paging import Page, Window
from core.services.accounts import AccountService
from core.services.views import AccountView
from entrypoints.http import auth
from entrypoints.http.errordocs import fails
from entrypoints.http.paging import NewestPageArgs, paged
from entrypoints.http.parsing import Blueprint
from entrypoints.http.ratelimit import limited
from entrypoints.http.schemas import AdminUserSchema

blp = Blueprint("users", __name__, url_prefix="/api/users", description="Users (admin)")


@blp.route("/")
class Users(MethodView):
    @limited("read")
    @auth.required
    @blp.arguments(NewestPageArgs, location="query")
    @paged(blp, AdminUserSchema)
    @fails(403)
    @inject
    def get(
        self, window: Window, accounts: AccountService = Provide[Container.accounts]
    ) -> Page[AccountView]:
        """Every account, newest first (admins only)."""
        return accounts.list_users(auth.current_user(), window)
