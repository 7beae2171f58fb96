"""Orders as channels send them: taking them in, cancelling them, recording payment."""
