"""``mlcore config get KEY…``: values of the project's composed Hydra config, for make targets.

The generated project's Makefile asks it for ``tracking.uri`` and ``tracking.model_name``, so
``make compare``, ``rollback``, ``serve`` and ``ui`` follow ``conf/`` (``tracking=remote``
included) instead of hard-coding a store. One value a line, in the order asked.
"""

from __future__ import annotations

import argparse


def compose(config_dir: str, overrides: list[str]) -> dict:
    """The config ``config_dir/config.yaml`` composes with ``overrides``, resolved and checked."""
    from pathlib import Path

    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from omegaconf import OmegaConf

    from mlcore.config import register_resolvers

    folder = Path(config_dir).resolve()
    register_resolvers(folder.parent)
    with initialize_config_dir(config_dir=str(folder), version_base="1.3"):
        cfg = hydra_compose(config_name="config", overrides=overrides)
    return OmegaConf.to_container(cfg, resolve=True)


def _get(args: argparse.Namespace) -> int:
    import sys

    from mlcore.errors import ConfigError

    try:
        cfg = compose(args.config_dir, args.overrides)
        for key in args.keys:
            node = cfg
            for part in key.split("."):
                if not isinstance(node, dict) or part not in node:
                    raise ConfigError(f"no key {key!r} in the config of {args.config_dir}")
                node = node[part]
            print(node)
    except Exception as exc:  # Hydra's and OmegaConf's errors, and ours: one line, exit 2
        print(f"ERROR: {exc}".splitlines()[0], file=sys.stderr)
        return 2
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``config get``."""
    config = commands.add_parser("config", help="read the project's composed Hydra config")
    actions = config.add_subparsers(dest="action", required=True, metavar="ACTION")
    get = actions.add_parser("get", help="print the value of each KEY (dotted), one a line")
    get.add_argument("keys", nargs="+", metavar="KEY", help="e.g. tracking.uri")
    get.add_argument("--config-dir", default="conf", help="the folder of config.yaml (conf)")
    get.add_argument(
        "--override", dest="overrides", action="append", default=[], help="a Hydra override"
    )
    get.set_defaults(handler=_get)
