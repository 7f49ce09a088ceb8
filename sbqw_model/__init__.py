"""sbqw — the Guizhou "十百千万" e-commerce plan (黔商发〔2023〕1号) as a policy model.

Rooms follow the data flow: ``parameters`` (the plan's numbers) → ``assumptions`` (what the
text leaves open) → ``rules`` (who is owed what) → ``costing`` (ledgers) → ``scenario`` /
``engine`` (Monte Carlo) → ``summary`` → ``reporting`` → ``cli``.
"""

__version__ = "0.1.0"
