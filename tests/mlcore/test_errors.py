"""run_main: a user's mistake is one ERROR line; a bug keeps its traceback."""

import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

from mlcore.errors import run_main


def test_a_locked_store_is_one_error_line_and_a_bug_keeps_its_traceback(capsys):
    def locked():
        raise OperationalError("INSERT ...", {}, sqlite3.OperationalError("database is locked"))

    assert run_main(locked) == (1, None)
    err = capsys.readouterr().err
    assert err.startswith(
        "ERROR: the MLflow store (tracking.uri) cannot be used: database is locked"
    )

    def bug():
        return {}["missing"]

    with pytest.raises(KeyError):
        run_main(bug)


def test_a_file_the_user_may_not_write_is_one_error_line_naming_it(capsys):
    def unwritable():
        raise PermissionError(13, "Permission denied", "/srv/team/models/model.skops")

    assert run_main(unwritable) == (1, None)
    err = capsys.readouterr().err
    assert err.startswith("ERROR: cannot write '/srv/team/models/model.skops': Permission denied")

    def missing():
        raise FileNotFoundError(2, "No such file or directory", "/x")

    with pytest.raises(FileNotFoundError):  # not a permission problem: a bug or a missing file
        run_main(missing)
