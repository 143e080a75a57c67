"""Sub-commands of the ``mlcore`` CLI, one module per command group.

Each module defines ``register(commands)``, which adds its sub-parsers to the ``argparse``
sub-parser action and sets ``handler`` (a function of the parsed namespace returning an exit code).
Modules import only ``argparse`` at top level, so ``mlcore --help`` stays fast; heavy libraries are
imported inside the handlers. :mod:`mlcore.cli` discovers the modules: adding a file adds commands.
"""
