"""Use cases. Each public call is one unit of work: it checks the role, validates, writes
in one transaction with its audit event, and returns plain dataclasses."""
