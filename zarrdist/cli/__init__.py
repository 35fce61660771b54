"""The ``zarrdist`` command (API layer, at the edge): nothing else in zarrdist imports it.

``main`` parses the command line and dispatches; ``options`` is the option grammar;
``inspect`` opens stores and prints ``info`` and ``tree``; ``convert`` and ``copy`` are
``copy`` and ``verify``; ``runner`` is where the graphs run (an embedded LocalCluster,
an existing scheduler, or threads) and the terminal progress; ``demo`` is ``zarrdist demo``.
"""
