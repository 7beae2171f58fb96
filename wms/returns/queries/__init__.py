"""Returns: reads for the desk, the bench and the report, one module per screen."""
