"""Accounts: signup, login, logout and login status."""

from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject
from flask.views import MethodView

from container import Container
from core.services.accounts import AccountService
from core.services.views import Session
from entrypoints.http import auth
from entrypoints.http.args import LoginArgs, SignupArgs
from entrypoints.http.errordocs import fails
from entrypoints.http.parsing import BODY, Blueprint
from entrypoints.http.ratelimit import limited
from entrypoints.http.schemas import LoginStatusSchema, SessionSchema, SuccessSchema

blp = Blueprint("accounts", __name__, url_prefix="/api/accounts", description="Accounts")


def _opened(session: Session) -> Session:
    auth.remember(session.token)
    return session


@blp.route("/signup/")
class Signup(MethodView):
    @limited("auth")
    @blp.arguments(SignupArgs, location=BODY)
    @blp.response(201, SessionSchema)
    @fails(409)
    @inject
    def post(
        self, args: dict[str, Any], accounts: AccountService = Provide[Container.accounts]
    ) -> Session:
        """Create an account (and its profile) and log in."""
        return _opened(accounts.sign_up(args["username"], args["email"], args["password"]))


@blp.route("/login/")
class Login(MethodView):
    @limited("auth")
    @blp.arguments(LoginArgs, location=BODY)
    @blp.response(200, SessionSchema)
    @fails(403)
    @inject
    def post(
        self, args: dict[str, Any], accounts: AccountService = Provide[Container.accounts]
    ) -> Session:
        """Log in with username (any case) and password; sets the session cookie."""
        return _opened(accounts.log_in(args["username"], args["password"]))


@blp.route("/logout/")
class Logout(MethodView):
    @limited("auth")
    @blp.response(200, SuccessSchema)
    @inject
    def post(self, accounts: AccountService = Provide[Container.accounts]) -> dict[str, Any]:
        """Kill the presented token and clear the cookie."""
        token = auth.token_from_request()
        if token is not None:
            accounts.log_out(token)
            auth.forget_token(token)
        auth.forget()
        return {}


@blp.route("/login_status/")
class LoginStatus(MethodView):
    @limited("auth")
    @blp.response(200, LoginStatusSchema)
    def get(self) -> dict[str, Any]:
        """Whether the caller is logged in, and as whom."""
        user = auth.optional_user()
        return {"has_logged_in": True, "user": user} if user else {"has_logged_in": False}
