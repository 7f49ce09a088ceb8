"""``sbqw ARGS`` in the test process: the console script's code path without a Python start-up.

Returns what ``run_cli`` returns (returncode, stdout, stderr), so a test can use either; the
subprocess form stays for the cases that show what a user's shell sees.
"""

from __future__ import annotations

import contextlib
import io
import subprocess


def sbqw(*args: object) -> subprocess.CompletedProcess[str]:
    from sbqw_model import cli

    out, err = io.StringIO(), io.StringIO()
    argv = [str(a) for a in args]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(argv)
        except SystemExit as exc:  # argparse errors
            code = int(exc.code or 0)
    return subprocess.CompletedProcess(["sbqw", *argv], code, out.getvalue(), err.getvalue())
