"""The ways events can be made (``CoderConfig.learned``), named in one place for the CLI."""

LEARNED_WAYS = ("combined", "rules", "model")
"""Rules and the learned model together (the default), the rules alone (``--no-model``),
or the model's types alone with the parse's actors (to compare them, ``eventcoder eval``)."""
