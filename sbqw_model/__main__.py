"""``python -m sbqw_model`` and the ``sbqw`` script: the command line.

Before anything imports numpy, each BLAS library is told to use one thread (unless the user
said otherwise), as Dask does for its workers. The model's arrays are element-wise work on a
few thousand draws, which BLAS threads never speed up; but OpenBLAS starts a spinning thread
per core when numpy and again when scipy load (~0.1 CPU-s each), taken from the other
processes of ``--jobs 2`` and of a sweep.

A Ctrl-C while the command still starts (its imports, its arguments) ends it with the same one
line as a Ctrl-C later, not with a traceback from the middle of an import.
"""

import os

#: The thread-count variables of OpenBLAS (numpy's and scipy's wheels), OpenMP and MKL.
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def main() -> None:
    for variable in BLAS_THREADS:
        os.environ.setdefault(variable, "1")
    try:
        from sbqw_model.cli import run

        run()
    except KeyboardInterrupt as exc:  # a Ctrl-C while the command starts (imports, arguments)
        import sys

        from sbqw_model.signals import INTERRUPTED, exit_code

        print(INTERRUPTED, file=sys.stderr)  # nothing was begun: no traceback to show
        sys.exit(exit_code(exc))


if __name__ == "__main__":
    main()
