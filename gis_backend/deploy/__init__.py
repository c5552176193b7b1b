"""Set-up scripts and the application server (serve.py)."""
