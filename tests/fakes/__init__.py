"""Stand-ins for outside services (carriers, printers) that tests run on 127.0.0.1."""
