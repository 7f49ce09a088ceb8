"""Research toolkit: sweeps on Dask, SALib sensitivity, scenario discovery, policy frontier.

Rooms, in the order data flows through them (EMA Workbench's vocabulary: *uncertainties* are
what the world does, *levers* what policy sets, *outcomes* what we measure):

- ``problem``     — factors: what a sweep or a sensitivity run varies, and how a point's values
  become a scenario (shared by sampling and analysis, as SALib's ``problem`` is);
- ``sweep``       — sweep files (validated like scenarios) and their points;
- ``evaluate``    — one batch of points → tidy result rows (what a Dask worker runs);
- ``cluster``     — where batches run: in this process, an embedded ``LocalCluster`` or the
  user's Dask scheduler;
- ``store``       — result files written as points finish, ``--resume``;
- ``sensitivity`` — Sobol' and Morris indices with SALib over a scenario's uncertainties;
- ``discovery``   — which combinations of drivers lead to missing a target (shallow tree boxes);
- ``frontier``    — budget (95th percentile) against the odds of meeting the targets;
- ``backtest``    — where observed figures fall in a scenario's forecast;
- ``calibration`` — the percentile check on synthetic truths (is the forecast honest?);
- ``basis``       — the national and provincial growth figures behind the growth uncertainty;
- ``wording``, ``charts``, ``notebook``, ``cli`` — display and the command line.

Importing this package imports nothing heavy; Dask, SALib and scikit-learn load on first use.
"""
