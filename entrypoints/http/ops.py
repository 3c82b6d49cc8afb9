"""Operations: liveness and readiness probes."""

from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject
from flask.views import MethodView

from container import Container
from core.domain.errors import Unavailable
from entrypoints.http import auth
from entrypoints.http.errordocs import fails
from entrypoints.http.parsing import Blueprint
from entrypoints.http.schemas import HealthSchema, ReadinessSchema

blp = Blueprint("ops", __name__, description="Operations")


@blp.route("/healthz/")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    def get(self) -> dict[str, str]:
        """200 while the process is up."""
        return {"status": "ok"}


@blp.route("/readyz/")
class Ready(MethodView):
    @blp.response(200, ReadinessSchema)
    @fails(503)
    @inject
    def get(
        self, readiness: dict[str, str | None] = Provide[Container.readiness]
    ) -> dict[str, Any]:
        """200 when every configured backend answers, else 503; only an admin's token gets
        the per-backend report (backend names and driver messages map the deployment)."""
        report = dict(readiness)
        failing = {name: [message] for name, message in report.items() if message}
        if not _is_admin():
            if failing:
                raise Unavailable("not ready")
            return {"status": "ok"}
        if failing:
            raise Unavailable(f"not ready: {', '.join(sorted(failing))} unavailable", failing)
        return {"status": "ok", "backends": {name: "ok" for name in report}}


def _is_admin() -> bool:
    user = auth.optional_user()
    return user is not None and user.is_admin
