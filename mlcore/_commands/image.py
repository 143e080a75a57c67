"""``mlcore image build``: the project's production image and its record (``make image``)."""

from __future__ import annotations

import argparse


def _build(args: argparse.Namespace) -> int:
    import json

    from mlcore._commands.runs import fail
    from mlcore.errors import MlcoreError
    from mlcore.image import RECORD, build_image

    try:
        record = build_image(
            args.project,
            name=args.name,
            base_image=args.base_image,
            ca_bundle=args.ca_bundle,
            engine=args.engine,
        )
    except MlcoreError as exc:
        return fail(exc)
    print(f"built {record['image']} ({record['id'][:19]}) on {record['base_image']}")
    print(f"record: {RECORD} {json.dumps({'lock_sha256': record['lock_sha256']})}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``image build``."""
    image = commands.add_parser("image", help="the project's container image")
    actions = image.add_subparsers(dest="action", required=True, metavar="ACTION")
    build = actions.add_parser(
        "build", help="build it with podman or docker, record models/image.json"
    )
    build.add_argument("name", help="image name, e.g. churn-model (tagged lock-<sha12> and latest)")
    build.add_argument("--project", default=".", help="the project folder (Dockerfile, uv.lock)")
    build.add_argument("--base-image", default=None, help="BASE_IMAGE (default: the Dockerfile's)")
    build.add_argument("--ca-bundle", default=None, help="CA bundle file given as a build secret")
    build.add_argument(
        "--engine", default=None, help="podman or docker (default: podman if present)"
    )
    build.set_defaults(handler=_build)
