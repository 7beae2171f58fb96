"""The set-up actions, one module by noun: the only place that writes."""
