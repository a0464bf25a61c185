"""A viewer's connection: the event, the trust-store validation and the decision."""
