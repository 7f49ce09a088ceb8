"""Imported by ``sbqw report``'s fork server, and only there: the server then holds what every
worker needs, warm (the report modules, the in-process engine, its IPython shell, what a first
report would pay once more: ``inprocess._warm_up``), with the garbage collector frozen over it,
so each worker it forks starts at once, and the server's own exit at the end of the run does
not walk all of it again.
"""

from sbqw_model.reporting import inprocess

inprocess.preload(warm=True)
