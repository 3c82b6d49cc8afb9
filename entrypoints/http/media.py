"""Media: photos and avatars served from the blob store at the URLs it hands out."""

from __future__ import annotations

from dependency_injector.wiring import Provide, inject
from flask import Response
from flask.views import MethodView
from werkzeug.routing import PathConverter

from container import Container
from core.domain.errors import NotFound
from core.ports.blob_store import BlobStore
from entrypoints.http.errordocs import fails
from entrypoints.http.parsing import Blueprint

blp = Blueprint("media", __name__, url_prefix="/media", description="Media files")
IMAGE = {"image/*": {"schema": {"type": "string", "format": "binary"}}}


class BlobKeyConverter(PathConverter):
    """A blob key: path segments of letters, digits, `_`, `-` and `.`; else no match (404)."""

    regex = r"[A-Za-z0-9_\-][A-Za-z0-9_\-./]{0,499}"


@blp.route("/<blobkey:key>")
class Media(MethodView):
    @blp.doc(responses={200: {"description": "The file", "content": IMAGE}})
    @fails(404)
    @inject
    def get(
        self,
        key: str,
        blobs: BlobStore = Provide[Container.blobs],
        local: BlobStore = Provide[Container.local_blobs],
    ) -> Response:
        """A stored photo or avatar with its content type."""
        # Only the local-folder store hands out URLs here; a profile whose blobs live
        # elsewhere (S3 serves its own URLs) has nothing to serve at /media/.
        found = blobs.get(key) if blobs is local else None
        if found is None:
            raise NotFound("no such file")
        data, content_type = found
        response = Response(data, mimetype=content_type)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response
