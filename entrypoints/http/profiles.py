"""Profiles: reading one, and the owner changing nickname and avatar."""

from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject
from flask import Response
from flask.views import MethodView

from container import Container
from core.services.profiles import ProfileService
from core.services.views import ProfileView
from entrypoints.http import auth, bodies
from entrypoints.http.args import ProfileEditArgs, ProfileTextArgs
from entrypoints.http.errordocs import fails
from entrypoints.http.limits import uploads
from entrypoints.http.parsing import BODY, Blueprint, json_alternative
from entrypoints.http.ratelimit import limited
from entrypoints.http.schemas import ProfileSchema

blp = Blueprint("profiles", __name__, url_prefix="/api/profiles", description="Profiles")


@blp.route("/<id:user_id>/")
class Profile(MethodView):
    @limited("read")
    @blp.response(200, ProfileSchema)
    @fails(404)
    @inject
    def get(self, user_id: int, profiles: ProfileService = Provide[Container.profiles]) -> Response:
        """A user's profile."""
        return bodies.respond(bodies.profile(profiles.get_profile(user_id)))

    @limited("profile_update")
    @auth.required
    @blp.arguments(ProfileEditArgs, location=BODY, content_type="multipart/form-data")
    @blp.response(200, ProfileSchema)
    @json_alternative(blp, ProfileTextArgs)
    @fails(403, 404)
    @uploads(files=1)
    @inject
    def put(
        self,
        args: dict[str, Any],
        user_id: int,
        profiles: ProfileService = Provide[Container.profiles],
    ) -> ProfileView:
        """Change nickname (JSON or a form part) and/or avatar (a file part); owner only."""
        return profiles.update_profile(auth.current_user().id, user_id, **args)

    patch = put
