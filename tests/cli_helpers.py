"""Shared helper of the command-line tests."""

import pytest

from robust_mlr.cli import main


def cli_error(capsys, argv):
    """The one stderr line of a command-line user error (exit status 2, no
    traceback)."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err
